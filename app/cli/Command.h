// SPDX-License-Identifier: MIT
#pragma once

#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

namespace bitlens::cli {

// One `bitlens-cli NAME ...` subcommand. run() gets the arguments after NAME and returns the
// exit status: 0 success, 1 usage error, 2 bad input (one-line message on stderr).
struct Command {
    std::string_view name;
    std::string_view usage; // "info FILE [--json]"
    std::string_view summary;
    int (*run)(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
};

// Every subcommand, in help order.
const std::vector<Command>& commands();

// Dispatches argv[1..] to a command; prints help for no/unknown command. Never throws.
int runCommandLine(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

} // namespace bitlens::cli

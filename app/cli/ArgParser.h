// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace bitlens::cli {

// A command-line mistake: the command prints it with its usage and exits with status 1.
class UsageError : public std::runtime_error {
public:
    explicit UsageError(const std::string& message) : std::runtime_error(message) {}
};

// Arguments split into positionals, "--name value" (or "--name=value") options and "--flag"s.
struct ParsedArgs {
    std::vector<std::string> positional;
    std::map<std::string, std::string, std::less<>> values;
    std::set<std::string, std::less<>> flags;

    bool has(std::string_view name) const { return values.contains(name) || flags.contains(name); }
    std::optional<std::string> value(std::string_view name) const;
    // The option's value as an integer in [low, high]; `fallback` when absent.
    uint64_t integer(std::string_view name, uint64_t low, uint64_t high, uint64_t fallback) const;
};

// Throws UsageError for an unknown option, a missing value or a repeated option.
ParsedArgs parseArgs(const std::vector<std::string>& args,
                     const std::vector<std::string_view>& valueOptions,
                     const std::vector<std::string_view>& flagOptions);

} // namespace bitlens::cli

// SPDX-License-Identifier: MIT
#include "cli/Command.h"

#include "cli/DevicesCommand.h"
#include "core/util/Error.h"

#include <exception>
#include <ostream>

namespace bitlens::cli {

const std::vector<Command>& commands() {
    static const std::vector<Command> list = {
        {"devices", "devices [--device INDEX|NAME]",
         "list the Vulkan devices and the one BitLens uses", runDevices},
    };
    return list;
}

static void printHelp(std::ostream& out) {
    out << "usage: bitlens-cli COMMAND [ARGS]\n\ncommands:\n";
    for (const Command& command : commands())
        out << "  " << command.usage << "\n      " << command.summary << "\n";
}

int runCommandLine(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
        printHelp(args.empty() ? err : out);
        return args.empty() ? 1 : 0;
    }
    for (const Command& command : commands()) {
        if (command.name != args[0])
            continue;
        try {
            return command.run({args.begin() + 1, args.end()}, out, err);
        } catch (const std::exception& error) {
            err << "bitlens-cli " << command.name << ": " << error.what() << "\n";
            return 2;
        }
    }
    err << "bitlens-cli: unknown command '" << args[0] << "'\n";
    printHelp(err);
    return 1;
}

} // namespace bitlens::cli

// SPDX-License-Identifier: MIT
#include "cli/Command.h"

#include "cli/BenchCommand.h"
#include "cli/DevicesCommand.h"
#include "cli/EvalCommand.h"
#include "cli/FormatsCommand.h"
#include "cli/InfoCommand.h"
#include "cli/QuantizeCommand.h"
#include "cli/TrainDemoCommand.h"
#include "core/util/Error.h"

#include <exception>
#include <ostream>

namespace bitlens::cli {

const std::vector<Command>& commands() {
    static const std::vector<Command> list = {
        {"info", "info FILE [--json]",
         "format, model summary and a table of every tensor (--json: one JSON object)", runInfo},
        formatsCommand(),
        quantizeCommand(),
        benchCommand(),
        {"eval",
         "eval MODEL (--dataset IMAGES LABELS | --text FILE) [--tokenizer FILE] "
         "[--format ID | --recipe R.json] [--input-scale S] [--ctx N] [--chunks N] "
         "[--device auto|cpu|vulkan] [--no-cache] [--json]",
         "a Keras classifier's accuracy on an IDX data set, or a llama-family model's perplexity "
         "on a text (with KL divergence and same-top rate), original against quantized",
         runEvalCommand},
        {"train-demo", "train-demo OUTPUT.h5 [--epochs N] [--seed S] [--data DIR]",
         "train the demo Fashion-MNIST classifier and save it as a Keras HDF5 file",
         runTrainDemoCommand},
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

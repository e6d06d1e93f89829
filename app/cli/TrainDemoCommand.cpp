// SPDX-License-Identifier: MIT
#include "cli/TrainDemoCommand.h"

#include "core/demo/DemoTrainer.h"
#include "core/util/Error.h"

#include <chrono>
#include <cstdio>
#include <ostream>

namespace bitlens::cli {
namespace {

constexpr const char* kUsage =
    "usage: bitlens-cli train-demo OUTPUT.h5 [--epochs N] [--seed S] [--data DIR]\n";
constexpr const char* kDefaultData = "/usr/share/datasets/fashion-mnist";

bool parseUnsigned(const std::string& text, uint64_t low, uint64_t high, uint64_t& value) {
    if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos ||
        text.size() > 19)
        return false;
    value = std::stoull(text);
    return value >= low && value <= high;
}

} // namespace

int runTrainDemoCommand(const std::vector<std::string>& args, std::ostream& out,
                        std::ostream& err) {
    std::string output;
    std::filesystem::path data = kDefaultData;
    DemoTrainingOptions options;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        const bool hasValue = i + 1 < args.size();
        uint64_t number = 0;
        if (arg == "--epochs" && hasValue && parseUnsigned(args[i + 1], 1, 1000, number)) {
            options.epochs = uint32_t(number);
            ++i;
        } else if (arg == "--seed" && hasValue &&
                   parseUnsigned(args[i + 1], 0, UINT64_MAX / 10, number)) {
            options.seed = number;
            ++i;
        } else if (arg == "--data" && hasValue) {
            data = args[++i];
        } else if (output.empty() && !arg.starts_with("--")) {
            output = arg;
        } else {
            err << "bitlens-cli train-demo: unexpected or invalid argument '" << arg << "'\n"
                << kUsage;
            return 1;
        }
    }
    if (output.empty()) {
        err << kUsage;
        return 1;
    }
    const IdxDataset train =
        IdxDataset::load(data / "train-images-idx3-ubyte.gz", data / "train-labels-idx1-ubyte.gz");
    const IdxDataset test =
        IdxDataset::load(data / "t10k-images-idx3-ubyte.gz", data / "t10k-labels-idx1-ubyte.gz");
    out << "training on " << train.size() << " images, testing on " << test.size()
        << " (inputs pixel / 255), " << options.epochs << " epochs, seed " << options.seed << "\n";
    const auto start = std::chrono::steady_clock::now();
    const DemoTrainingResult result = trainDemoClassifier(train, test, output, options);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    char line[160];
    for (size_t epoch = 0; epoch < result.epochLoss.size(); ++epoch) {
        std::snprintf(line, sizeof line, "epoch %zu: mean training loss %.4f\n", epoch + 1,
                      result.epochLoss[epoch]);
        out << line;
    }
    std::snprintf(line, sizeof line, "test accuracy (float32): %.2f%%\ntraining time: %.1f s\n",
                  100.0 * result.testAccuracy, seconds);
    out << line << "wrote " << output << "\n";
    return 0;
}

} // namespace bitlens::cli

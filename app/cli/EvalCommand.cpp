// SPDX-License-Identifier: MIT
#include "cli/EvalCommand.h"

#include "cli/ClassifierEngineChoice.h"
#include "cli/InputScale.h"
#include "core/eval/ClassifierEvaluator.h"
#include "core/io/CheckpointReader.h"
#include "core/quant/FormatRegistry.h"
#include "core/util/Error.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>

namespace bitlens::cli {
namespace {

constexpr const char* kUsage =
    "usage: bitlens-cli eval MODEL --dataset IMAGES LABELS "
    "[--format ID] [--input-scale S] [--device auto|cpu|vulkan] [--json]\n";

std::string percent(const ClassifierScore& score) {
    char text[64];
    std::snprintf(text, sizeof text, "%.2f%% (%llu/%llu)", 100.0 * score.accuracy(),
                  static_cast<unsigned long long>(score.correct),
                  static_cast<unsigned long long>(score.count));
    return text;
}

nlohmann::json scoreJson(const ClassifierScore& score) {
    return {{"accuracy", score.accuracy()}, {"correct", score.correct}, {"count", score.count}};
}

} // namespace

int runEvalCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    std::string model;
    std::string images;
    std::string labels;
    std::string formatId;
    std::string scaleText = "1";
    bool json = false;
    std::optional<BackendKind> device = BackendKind::Auto;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if (arg == "--dataset" && i + 2 < args.size()) {
            images = args[++i];
            labels = args[++i];
        } else if (arg == "--format" && i + 1 < args.size()) {
            formatId = args[++i];
        } else if (arg == "--input-scale" && i + 1 < args.size()) {
            scaleText = args[++i];
        } else if (arg == "--device" && i + 1 < args.size()) {
            device = parseBackendKind(args[++i]);
        } else if (arg == "--json") {
            json = true;
        } else if (model.empty() && !arg.starts_with("--")) {
            model = arg;
        } else {
            err << "bitlens-cli eval: unexpected or incomplete argument '" << arg << "'\n"
                << kUsage;
            return 1;
        }
    }
    const std::optional<float> scale = parseInputScale(scaleText);
    if (model.empty() || images.empty() || !scale || !device) {
        if (!device)
            err << "bitlens-cli eval: --device expects auto, cpu or vulkan\n";
        if (!scale)
            err << "bitlens-cli eval: --input-scale '" << scaleText
                << "' is not a positive number or fraction\n";
        err << kUsage;
        return 1;
    }

    const std::unique_ptr<Checkpoint> checkpoint = openCheckpoint(model);
    ClassifierEvaluator evaluator(*checkpoint);
    evaluator.setEngine(chooseClassifierEngine(*device, err));
    const IdxDataset dataset = IdxDataset::load(images, labels);
    nlohmann::json report = {{"kind", "classifier"},
                             {"images", dataset.size()},
                             {"input_scale", *scale},
                             {"engine", evaluator.engine().name()}};
    if (!json)
        out << "model: " << evaluator.model().name() << " (" << evaluator.model().layers().size()
            << " layers, " << evaluator.classCount() << " classes)\ndata set: " << dataset.size()
            << " images of " << dataset.rows() << "x" << dataset.cols() << ", input scale "
            << *scale << "\nengine: " << evaluator.engine().name() << "\n";
    if (formatId.empty()) {
        const ClassifierScore original = evaluator.scoreOriginal(dataset, *scale);
        report["original"] = scoreJson(original);
        if (!json)
            out << "original accuracy: " << percent(original) << "\n";
    } else {
        const QuantizedWeights quantized(formatForKernels(makeFormat(formatId)));
        const ClassifierComparison result = evaluator.compare(dataset, *scale, quantized);
        report["original"] = scoreJson(result.original);
        report["quantized"] = scoreJson(result.quantized);
        report["quantized"]["format"] = formatId;
        report["agreement"] = result.agreement();
        report["kld_mean"] = result.kldMean;
        if (!json) {
            char line[96];
            std::snprintf(line, sizeof line, "agreement: %.2f%%\nKL divergence mean: %.6g nats\n",
                          100.0 * result.agreement(), result.kldMean);
            out << "original accuracy: " << percent(result.original) << "\nquantized accuracy ("
                << formatId << "): " << percent(result.quantized) << "\n"
                << line;
        }
    }
    if (json)
        out << report.dump(2) << "\n";
    return 0;
}

} // namespace bitlens::cli

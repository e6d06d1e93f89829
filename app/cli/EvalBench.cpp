// SPDX-License-Identifier: MIT
#include "cli/EvalBench.h"

#include "NoVulkanDevice.h"
#include "VulkanClassifierEngine.h"
#include "cli/ArgParser.h"
#include "cli/InputScale.h"
#include "cli/TextTable.h"
#include "core/eval/ClassifierEvaluator.h"
#include "core/io/CheckpointReader.h"

#include <algorithm>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>

namespace bitlens::cli {
namespace {

constexpr const char* kUsage =
    "usage: bitlens-cli bench eval MODEL --dataset IMAGES LABELS [--input-scale S] "
    "[--repeats N]\n"
    "  times the forward pass over the data set on the CPU and, when a device exists, on Vulkan\n";

// One measured row: what ran where, and how fast. `rate` is items (images, later tokens) per
// second of `unit`; the first row of a model is its CPU reference.
struct ThroughputRow {
    std::string model;
    std::string engine;
    double rate = 0;
    std::string unit;
    std::string result; // accuracy, perplexity, ...
};

// The best of `repeats` timings of `work`, in seconds.
double bestSeconds(unsigned repeats, const std::function<void()>& work) {
    double best = 0;
    for (unsigned i = 0; i < repeats; ++i) {
        const auto start = std::chrono::steady_clock::now();
        work();
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        best = i == 0 ? seconds : std::min(best, seconds);
    }
    return best;
}

// A classifier row: scoreOriginal of a fresh evaluator (nothing cached) on `engine`, end to end:
// weights read and loaded, inputs scaled, forward pass, scoring.
ThroughputRow classifierRow(std::shared_ptr<const ClassifierEngine> engine,
                            const Checkpoint& checkpoint, const IdxDataset& dataset, float scale,
                            unsigned repeats) {
    ClassifierScore score;
    std::string modelName;
    const double seconds = bestSeconds(repeats, [&] {
        ClassifierEvaluator evaluator(checkpoint);
        evaluator.setEngine(engine);
        score = evaluator.scoreOriginal(dataset, scale);
        modelName = evaluator.model().name();
    });
    return {modelName, engine->name(), seconds > 0 ? double(dataset.size()) / seconds : 0,
            "images/s", fixed(100.0 * score.accuracy(), 2) + "% accuracy"};
}

} // namespace

int runEvalBench(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    std::string modelPath;
    std::string images;
    std::string labels;
    std::optional<float> scale = 1.0f;
    unsigned repeats = 3;
    try {
        std::vector<std::string> rest;
        for (size_t i = 0; i < args.size(); ++i) {
            if (args[i] == "--dataset" && i + 2 < args.size()) {
                images = args[++i];
                labels = args[++i];
            } else {
                rest.push_back(args[i]);
            }
        }
        const ParsedArgs parsed = parseArgs(rest, {"input-scale", "repeats"}, {});
        if (parsed.positional.size() != 1 || images.empty())
            throw UsageError("expected one MODEL and --dataset IMAGES LABELS");
        modelPath = parsed.positional.front();
        if (parsed.has("input-scale"))
            scale = parseInputScale(*parsed.value("input-scale"));
        if (!scale)
            throw UsageError("--input-scale is not a positive number or fraction");
        repeats = unsigned(parsed.integer("repeats", 1, 100, repeats));
    } catch (const UsageError& error) {
        err << "bitlens-cli bench eval: " << error.what() << "\n" << kUsage;
        return 1;
    }

    const std::unique_ptr<Checkpoint> checkpoint = openCheckpoint(modelPath);
    const IdxDataset dataset = IdxDataset::load(images, labels);
    std::vector<std::shared_ptr<const ClassifierEngine>> engines{
        std::make_shared<CpuClassifierEngine>()};
    try {
        engines.push_back(std::make_shared<VulkanClassifierEngine>(ComputeSession::create()));
    } catch (const NoVulkanDevice& error) {
        err << "bitlens-cli bench eval: " << error.what() << "; timing the CPU only\n";
    }
    std::vector<ThroughputRow> rows;
    for (const auto& engine : engines)
        rows.push_back(classifierRow(engine, *checkpoint, dataset, *scale, repeats));

    out << "forward pass over " << dataset.size() << " images of " << dataset.rows() << "x"
        << dataset.cols() << ", input scale " << *scale << ", best of " << repeats
        << "; end to end (weights loaded, inputs scaled, forward pass, scoring)\n";
    TextTable table({{"model"},
                     {"engine"},
                     {"throughput", TextTable::Align::Right},
                     {"unit"},
                     {"vs cpu", TextTable::Align::Right},
                     {"result"}});
    double cpuRate = 0;
    for (const ThroughputRow& row : rows) {
        const bool isCpu = row.engine == "cpu";
        if (isCpu)
            cpuRate = row.rate;
        table.addRow({row.model, row.engine, fixed(row.rate, 1), row.unit,
                      !isCpu && cpuRate > 0 ? fixed(row.rate / cpuRate, 2) + "x" : "-",
                      row.result});
    }
    table.print(out);
    return 0;
}

} // namespace bitlens::cli

// SPDX-License-Identifier: MIT
#include "cli/EvalBench.h"

#include "NoVulkanDevice.h"
#include "VulkanClassifierEngine.h"
#include "VulkanLlamaEngine.h"
#include "cli/ArgParser.h"
#include "cli/InputScale.h"
#include "cli/TextFile.h"
#include "cli/TextTable.h"
#include "core/eval/ClassifierEvaluator.h"
#include "core/eval/PerplexityEvaluator.h"
#include "core/io/CheckpointReader.h"
#include "core/text/TokenizerFactory.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>

namespace bitlens::cli {
namespace {

constexpr const char* kUsage =
    "usage: bitlens-cli bench eval MODEL --dataset IMAGES LABELS [--input-scale S] "
    "[--repeats N]\n"
    "       bitlens-cli bench eval MODEL --text FILE [--tokenizer F] [--ctx N] [--chunks N] "
    "[--repeats N]\n"
    "  times the forward pass over the data set or the first chunks of the text (default 4) on\n"
    "  the CPU and, when a device exists, on Vulkan\n";

constexpr uint64_t kDefaultChunks = 4;

// One measured row: what ran where, and how fast. `rate` is items (images or tokens) per
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

// A language-model row: scoreOriginal of a fresh evaluator on `engine`, end to end: weights
// read and loaded, forward pass over every chunk, scoring.
ThroughputRow languageModelRow(std::shared_ptr<const LlamaEngine> engine,
                               const Checkpoint& checkpoint, const std::string& modelName,
                               std::span<const int32_t> tokens, int32_t bos,
                               const PerplexityOptions& options, unsigned repeats) {
    PerplexityResult result;
    const double seconds = bestSeconds(repeats, [&] {
        PerplexityEvaluator evaluator(checkpoint);
        evaluator.setEngine(engine);
        result = evaluator.scoreOriginal(tokens, bos, options);
    });
    const double positions = double(result.chunks * result.contextLength);
    return {modelName, engine->name(), seconds > 0 ? positions / seconds : 0, "tokens/s",
            "ppl " + fixed(result.original.ppl, 4)};
}

// The engines to time: the CPU reference, and Vulkan when a device exists (else a notice).
template <typename Engine, typename CpuEngine, typename VulkanEngine>
std::vector<std::shared_ptr<const Engine>> benchEngines(std::ostream& err) {
    std::vector<std::shared_ptr<const Engine>> engines{std::make_shared<CpuEngine>()};
    try {
        engines.push_back(std::make_shared<VulkanEngine>(ComputeSession::create()));
    } catch (const NoVulkanDevice& error) {
        err << "bitlens-cli bench eval: " << error.what() << "; timing the CPU only\n";
    }
    return engines;
}

void printRows(const std::vector<ThroughputRow>& rows, std::ostream& out) {
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
}

struct BenchArgs {
    std::string model;
    std::string images;
    std::string labels;
    std::string text;
    std::string tokenizer;
    std::optional<float> scale = 1.0f;
    uint64_t contextLength = 0; // 0: the evaluator's default
    uint64_t chunks = kDefaultChunks;
    unsigned repeats = 3;
};

// Throws UsageError for a usage mistake.
BenchArgs parseBenchArgs(const std::vector<std::string>& args) {
    BenchArgs bench;
    std::vector<std::string> rest;
    for (size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--dataset" && i + 2 < args.size()) {
            bench.images = args[++i];
            bench.labels = args[++i];
        } else {
            rest.push_back(args[i]);
        }
    }
    const ParsedArgs parsed =
        parseArgs(rest, {"input-scale", "repeats", "text", "tokenizer", "ctx", "chunks"}, {});
    bench.text = parsed.value("text").value_or("");
    if (parsed.positional.size() != 1 || bench.images.empty() == bench.text.empty())
        throw UsageError("expected one MODEL and either --dataset IMAGES LABELS or --text FILE");
    bench.model = parsed.positional.front();
    if (!bench.text.empty() && parsed.has("input-scale"))
        throw UsageError("--input-scale applies to --dataset only");
    if (bench.text.empty() &&
        (parsed.has("tokenizer") || parsed.has("ctx") || parsed.has("chunks")))
        throw UsageError("--tokenizer, --ctx and --chunks apply to --text only");
    if (parsed.has("input-scale"))
        bench.scale = parseInputScale(*parsed.value("input-scale"));
    if (!bench.scale)
        throw UsageError("--input-scale is not a positive number or fraction");
    bench.tokenizer = parsed.value("tokenizer").value_or("");
    bench.contextLength = parsed.integer("ctx", 4, uint64_t(1) << 20, 0);
    bench.chunks = parsed.integer("chunks", 1, uint64_t(1) << 32, kDefaultChunks);
    bench.repeats = unsigned(parsed.integer("repeats", 1, 100, bench.repeats));
    return bench;
}

int benchClassifier(const BenchArgs& args, std::ostream& out, std::ostream& err) {
    const std::unique_ptr<Checkpoint> checkpoint = openCheckpoint(args.model);
    const IdxDataset dataset = IdxDataset::load(args.images, args.labels);
    std::vector<ThroughputRow> rows;
    for (const auto& engine :
         benchEngines<ClassifierEngine, CpuClassifierEngine, VulkanClassifierEngine>(err))
        rows.push_back(classifierRow(engine, *checkpoint, dataset, *args.scale, args.repeats));
    out << "forward pass over " << dataset.size() << " images of " << dataset.rows() << "x"
        << dataset.cols() << ", input scale " << *args.scale << ", best of " << args.repeats
        << "; end to end (weights loaded, inputs scaled, forward pass, scoring)\n";
    printRows(rows, out);
    return 0;
}

int benchLanguageModel(const BenchArgs& args, std::ostream& out, std::ostream& err) {
    const std::unique_ptr<Checkpoint> checkpoint = openCheckpoint(args.model);
    const std::unique_ptr<Tokenizer> tokenizer = loadTokenizer(*checkpoint, args.tokenizer);
    const std::vector<int32_t> tokens =
        PerplexityEvaluator::tokenizeText(*tokenizer, readTextFile(args.text));
    PerplexityOptions options;
    options.contextLength = args.contextLength
                                ? args.contextLength
                                : PerplexityEvaluator(*checkpoint).defaultContextLength();
    options.maxChunks = args.chunks;
    uint64_t chunks = 0;
    try {
        chunks = PerplexityEvaluator::chunkCount(tokens.size(), options.contextLength,
                                                 options.maxChunks);
    } catch (const Error& error) {
        throw FileError(args.text, error.what());
    }
    auto engines = benchEngines<LlamaEngine, CpuLlamaEngine, VulkanLlamaEngine>(err);
    const LlamaConfig config = LlamaConfig::fromCheckpoint(*checkpoint);
    if (engines.size() > 1) {
        const std::string limitation = engines[1]->limitation(config, options.contextLength);
        if (!limitation.empty()) {
            err << "bitlens-cli bench eval: " << limitation << "; timing the CPU only\n";
            engines.resize(1);
        }
    }
    const std::string modelName = std::filesystem::path(args.model).filename().string();
    std::vector<ThroughputRow> rows;
    for (const auto& engine : engines)
        rows.push_back(languageModelRow(engine, *checkpoint, modelName, tokens, tokenizer->bos(),
                                        options, args.repeats));
    out << "perplexity forward pass over " << chunks << " chunks of " << options.contextLength
        << " tokens, best of " << args.repeats
        << "; end to end (weights loaded, forward pass, scoring)\n";
    printRows(rows, out);
    return 0;
}

} // namespace

int runEvalBench(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    BenchArgs bench;
    try {
        bench = parseBenchArgs(args);
    } catch (const UsageError& error) {
        err << "bitlens-cli bench eval: " << error.what() << "\n" << kUsage;
        return 1;
    }
    return bench.text.empty() ? benchClassifier(bench, out, err)
                              : benchLanguageModel(bench, out, err);
}

} // namespace bitlens::cli

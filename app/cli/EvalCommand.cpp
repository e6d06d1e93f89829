// SPDX-License-Identifier: MIT
#include "cli/EvalCommand.h"

#include "cli/ClassifierEngineChoice.h"
#include "cli/InputScale.h"
#include "cli/TextFile.h"
#include "core/eval/BaselineCache.h"
#include "core/eval/ClassifierEvaluator.h"
#include "core/eval/PerplexityEvaluator.h"
#include "core/io/CheckpointReader.h"
#include "core/text/TokenizerFactory.h"
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
    "usage: bitlens-cli eval MODEL (--dataset IMAGES LABELS | --text FILE) [--tokenizer FILE] "
    "[--format ID | --recipe R.json] [--input-scale S] [--ctx N] [--chunks N] "
    "[--device auto|cpu|vulkan] [--no-cache] [--json]\n";

struct EvalArgs {
    std::string model;
    std::string images;
    std::string labels;
    std::string text;
    std::string tokenizer;
    std::string formatId;
    std::string recipePath;
    std::string scaleText;
    std::string contextText;
    std::string chunksText;
    std::string deviceText = "auto";
    bool json = false;
    bool noCache = false; // neither read nor fill the user's baseline cache
};

// The quantized side of a comparison: which format each tensor gets, and how to name it.
struct QuantizedChoice {
    FormatChoice formats;
    std::string key;   // "format" or "recipe"
    std::string label; // the format id or the recipe's path
};

// A whole number of at least 1.
std::optional<uint64_t> parseCount(const std::string& text) {
    char* end = nullptr;
    const unsigned long long value = std::strtoull(text.c_str(), &end, 10);
    if (text.empty() || text[0] == '-' || end != text.c_str() + text.size() || value == 0 ||
        value > (1ull << 32))
        return std::nullopt;
    return uint64_t(value);
}

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

std::string fixed(double value, int digits) {
    char text[64];
    std::snprintf(text, sizeof text, "%.*f", digits, value);
    return text;
}

nlohmann::json perplexityJson(const PerplexityScore& score) {
    return {{"ppl", score.ppl}, {"ppl_err", score.pplError}};
}

std::string perplexityText(const PerplexityScore& score) {
    return fixed(score.ppl, 4) + " +/- " + fixed(score.pplError, 4);
}

// The user's baseline cache, unless --no-cache.
std::shared_ptr<const BaselineCache> baselineCache(const EvalArgs& args) {
    return args.noCache ? nullptr : BaselineCache::forUser();
}

// Whether the original model's results were read from the cache instead of computed.
void reportBaseline(BaselineOrigin origin, const EvalArgs& args, nlohmann::json& report,
                    std::ostream& out) {
    const bool cached = origin != BaselineOrigin::Computed;
    report["baseline_cached"] = cached;
    if (!args.json)
        out << "original baseline: " << (cached ? "from the cache" : "computed") << "\n";
}

int runClassifier(const EvalArgs& args, const std::optional<QuantizedChoice>& quantizedChoice,
                  std::ostream& out, std::ostream& err) {
    const std::optional<float> scale = parseInputScale(args.scaleText);
    const std::unique_ptr<Checkpoint> checkpoint = openCheckpoint(args.model);
    ClassifierEvaluator evaluator(*checkpoint);
    evaluator.setEngine(chooseClassifierEngine(*parseBackendKind(args.deviceText), err));
    evaluator.setBaselineCache(baselineCache(args));
    const IdxDataset dataset = IdxDataset::load(args.images, args.labels);
    nlohmann::json report = {{"kind", "classifier"},
                             {"images", dataset.size()},
                             {"input_scale", *scale},
                             {"engine", evaluator.engine().name()}};
    if (!args.json)
        out << "model: " << evaluator.model().name() << " (" << evaluator.model().layers().size()
            << " layers, " << evaluator.classCount() << " classes)\ndata set: " << dataset.size()
            << " images of " << dataset.rows() << "x" << dataset.cols() << ", input scale "
            << *scale << "\nengine: " << evaluator.engine().name() << "\n";
    if (!quantizedChoice) {
        const ClassifierScore original = evaluator.scoreOriginal(dataset, *scale);
        report["original"] = scoreJson(original);
        if (!args.json)
            out << "original accuracy: " << percent(original) << "\n";
    } else {
        const QuantizedWeights quantized(quantizedChoice->formats);
        const ClassifierComparison result = evaluator.compare(dataset, *scale, quantized);
        report["original"] = scoreJson(result.original);
        report["quantized"] = scoreJson(result.quantized);
        report["quantized"][quantizedChoice->key] = quantizedChoice->label;
        report["agreement"] = result.agreement();
        report["kld_mean"] = result.kldMean;
        if (!args.json) {
            char line[96];
            std::snprintf(line, sizeof line, "agreement: %.2f%%\nKL divergence mean: %.6g nats\n",
                          100.0 * result.agreement(), result.kldMean);
            out << "original accuracy: " << percent(result.original) << "\nquantized accuracy ("
                << quantizedChoice->label << "): " << percent(result.quantized) << "\n"
                << line;
        }
    }
    reportBaseline(evaluator.baselineOrigin(), args, report, out);
    if (args.json)
        out << report.dump(2) << "\n";
    return 0;
}

int runLanguageModel(const EvalArgs& args, const std::optional<QuantizedChoice>& quantizedChoice,
                     std::ostream& out, std::ostream& err) {
    const std::unique_ptr<Checkpoint> checkpoint = openCheckpoint(args.model);
    PerplexityEvaluator evaluator(*checkpoint);
    PerplexityOptions options;
    options.contextLength =
        args.contextText.empty() ? evaluator.defaultContextLength() : *parseCount(args.contextText);
    const std::unique_ptr<Tokenizer> tokenizer = loadTokenizer(*checkpoint, args.tokenizer);
    const std::vector<int32_t> tokens =
        PerplexityEvaluator::tokenizeText(*tokenizer, readTextFile(args.text));
    options.maxChunks = args.chunksText.empty() ? 0 : *parseCount(args.chunksText);
    try {
        PerplexityEvaluator::chunkCount(tokens.size(), options.contextLength, options.maxChunks);
    } catch (const Error& error) {
        throw FileError(args.text, error.what());
    }
    evaluator.setEngine(chooseLlamaEngine(*parseBackendKind(args.deviceText), evaluator.config(),
                                          options.contextLength, err));
    const LlamaConfig& config = evaluator.config();
    if (options.contextLength > config.contextLength)
        err << "bitlens-cli eval: warning: n_ctx " << options.contextLength
            << " exceeds the context the model was trained for (" << config.contextLength << ")\n";
    if (!args.json)
        out << "model: " << config.architecture << ", " << config.layers << " layers, dim "
            << config.dim << ", " << config.heads << " heads (" << config.kvHeads
            << " key/value), vocabulary " << config.vocabSize << ", context "
            << config.contextLength << "\nengine: " << evaluator.engine().name() << "\n";

    evaluator.setBaselineCache(baselineCache(args));
    nlohmann::json report = {{"kind", "lm"}, {"device", evaluator.engine().name()}};
    auto describe = [&](const PerplexityResult& result) {
        report["n_ctx"] = result.contextLength;
        report["chunks"] = result.chunks;
        report["tokens"] = result.textTokens;
        report["scored_tokens"] = result.scoredTokens;
        report["original"] = perplexityJson(result.original);
        if (!args.json)
            out << "text: " << result.textTokens << " tokens, n_ctx " << result.contextLength
                << ", " << result.chunks << " chunks, " << result.scoredTokens
                << " tokens scored\noriginal perplexity: " << perplexityText(result.original)
                << "\n";
    };
    if (!quantizedChoice) {
        describe(evaluator.scoreOriginal(tokens, tokenizer->bos(), options));
    } else {
        const QuantizedWeights quantized(quantizedChoice->formats);
        const PerplexityComparison result =
            evaluator.compare(tokens, tokenizer->bos(), options, quantized);
        describe(result);
        report["quantized"] = perplexityJson(result.quantized);
        report["quantized"][quantizedChoice->key] = quantizedChoice->label;
        report["kld_mean"] = result.kldMean;
        report["kld_p99"] = result.kldP99;
        report["same_top"] = result.sameTop;
        if (!args.json)
            out << "quantized perplexity (" << quantizedChoice->label
                << "): " << perplexityText(result.quantized) << "\nKL divergence: mean "
                << fixed(result.kldMean, 6) << ", 99th percentile " << fixed(result.kldP99, 6)
                << " nats\nsame top token: " << fixed(100.0 * result.sameTop, 2) << "%\n";
    }
    reportBaseline(evaluator.baselineOrigin(), args, report, out);
    if (args.json)
        out << report.dump(2) << "\n";
    return 0;
}

// Empty when the arguments make sense together, else what is wrong.
std::string usageProblem(const EvalArgs& args) {
    if (args.model.empty())
        return "MODEL is missing";
    if (args.images.empty() == args.text.empty())
        return "give either --dataset IMAGES LABELS or --text FILE";
    if (!args.formatId.empty() && !args.recipePath.empty())
        return "give --format or --recipe, not both";
    if (!args.text.empty() && !args.scaleText.empty())
        return "--input-scale applies to --dataset only";
    if (!args.images.empty() &&
        (!args.tokenizer.empty() || !args.contextText.empty() || !args.chunksText.empty()))
        return "--tokenizer, --ctx and --chunks apply to --text only";
    if (!parseBackendKind(args.deviceText))
        return "--device '" + args.deviceText + "' is not auto, cpu or vulkan";
    if (!args.scaleText.empty() && !parseInputScale(args.scaleText))
        return "--input-scale '" + args.scaleText + "' is not a positive number or fraction";
    if (!args.contextText.empty() && !parseCount(args.contextText))
        return "--ctx '" + args.contextText + "' is not a positive whole number";
    if (!args.chunksText.empty() && !parseCount(args.chunksText))
        return "--chunks '" + args.chunksText + "' is not a positive whole number";
    return {};
}

} // namespace

int runEvalCommand(const std::vector<std::string>& argList, std::ostream& out, std::ostream& err) {
    EvalArgs args;
    for (size_t i = 0; i < argList.size(); ++i) {
        const std::string& arg = argList[i];
        const bool hasValue = i + 1 < argList.size();
        if (arg == "--dataset" && i + 2 < argList.size()) {
            args.images = argList[++i];
            args.labels = argList[++i];
        } else if (arg == "--text" && hasValue) {
            args.text = argList[++i];
        } else if (arg == "--tokenizer" && hasValue) {
            args.tokenizer = argList[++i];
        } else if (arg == "--format" && hasValue) {
            args.formatId = argList[++i];
        } else if (arg == "--recipe" && hasValue) {
            args.recipePath = argList[++i];
        } else if (arg == "--input-scale" && hasValue) {
            args.scaleText = argList[++i];
        } else if (arg == "--ctx" && hasValue) {
            args.contextText = argList[++i];
        } else if (arg == "--chunks" && hasValue) {
            args.chunksText = argList[++i];
        } else if (arg == "--device" && hasValue) {
            args.deviceText = argList[++i];
        } else if (arg == "--json") {
            args.json = true;
        } else if (arg == "--no-cache") {
            args.noCache = true;
        } else if (args.model.empty() && !arg.starts_with("--")) {
            args.model = arg;
        } else {
            err << "bitlens-cli eval: unexpected or incomplete argument '" << arg << "'\n"
                << kUsage;
            return 1;
        }
    }
    if (const std::string problem = usageProblem(args); !problem.empty()) {
        err << "bitlens-cli eval: " << problem << "\n" << kUsage;
        return 1;
    }
    std::optional<QuantizedChoice> quantized;
    if (!args.formatId.empty())
        quantized = QuantizedChoice{formatsFromRecipe(Recipe::singleFormat(args.formatId)),
                                    "format", args.formatId};
    else if (!args.recipePath.empty())
        quantized = QuantizedChoice{formatsFromRecipe(Recipe::load(args.recipePath)), "recipe",
                                    args.recipePath};
    if (args.text.empty()) {
        if (args.scaleText.empty())
            args.scaleText = "1";
        return runClassifier(args, quantized, out, err);
    }
    return runLanguageModel(args, quantized, out, err);
}

} // namespace bitlens::cli

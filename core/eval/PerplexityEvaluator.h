// SPDX-License-Identifier: MIT
#pragma once

#include "core/backend/QuantBackend.h"
#include "core/eval/BaselineCache.h"
#include "core/eval/LlamaEngine.h"
#include "core/eval/WeightSource.h"
#include "core/io/Checkpoint.h"
#include "core/text/Tokenizer.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace bitlens {

struct PerplexityOptions {
    uint64_t contextLength = 0; // n_ctx; 0: the smaller of 512 and the model's context
    uint64_t maxChunks = 0;     // 0: every whole chunk of the text
};

// Perplexity exp(mean NLL) and its standard error as llama.cpp's perplexity tool reports it:
// ppl * sqrt((mean(NLL^2) - mean(NLL)^2) / (scored - 1)).
struct PerplexityScore {
    double ppl = 0;
    double pplError = 0;
};

struct PerplexityResult {
    uint64_t contextLength = 0;
    uint64_t chunks = 0;
    uint64_t textTokens = 0;   // tokens of the whole text, BOS included
    uint64_t scoredTokens = 0; // chunks * (contextLength - 1 - contextLength / 2)
    PerplexityScore original;
};

// The quantized model against the original over the same scored positions, with llama.cpp's
// KL-divergence mode definitions: per position KL(p_original || p_quantized) of the next-token
// distributions in nats, its mean and 99th percentile (linear interpolation between the sorted
// values), and the rate at which both models rank the same token first.
struct PerplexityComparison : PerplexityResult {
    PerplexityScore quantized;
    double kldMean = 0;
    double kldP99 = 0;
    double sameTop = 0;
};

// llama.cpp's perplexity protocol on a llama-family model, the forward pass on a LlamaEngine:
// the token stream is cut into chunks of n_ctx tokens, the first token of each chunk is replaced
// by BOS (when the vocabulary has one), and only the second half of each chunk is scored (the
// positions n_ctx/2 .. n_ctx-2 predicting the token after them). The original model's results
// for a (token stream, n_ctx) are computed once and reused by later calls; with a BaselineCache
// they are also looked up on disk on a miss and stored there after they are computed. Not
// thread-safe: one call at a time; the calls themselves run on all hardware threads.
class PerplexityEvaluator {
public:
    // Reads the configuration and finds every weight (LlamaConfig::fromCheckpoint); weights are
    // read on first use, by the engine (the CPU reference unless setEngine picks another).
    // `checkpoint` must outlive the evaluator.
    explicit PerplexityEvaluator(const Checkpoint& checkpoint);

    // Runs later calls on `engine` (not null); the original's results are computed again.
    void setEngine(std::shared_ptr<const LlamaEngine> engine);
    const LlamaEngine& engine() const { return *engine_; }

    const LlamaConfig& config() const { return config_; }
    uint64_t defaultContextLength() const { return defaultContextLength(config_); }
    // The smaller of 512 and the model's context.
    static uint64_t defaultContextLength(const LlamaConfig& config);
    // Where the original's results are also kept between evaluators and processes; nullptr (the
    // default) keeps them in memory only.
    void setBaselineCache(std::shared_ptr<const BaselineCache> cache);
    // Where the original's results behind the last scoreOriginal or compare came from.
    BaselineOrigin baselineOrigin() const { return baselineOrigin_; }

    // The whole text as llama.cpp tokenizes it for perplexity: BOS (when the tokenizer has one)
    // followed by tokenizer.encode(text).
    static std::vector<int32_t> tokenizeText(const Tokenizer& tokenizer, std::string_view text);

    // Chunks a stream of `tokens` gives at this context length: tokens / n_ctx, at most
    // maxChunks (when not 0). Throws Error when the stream is shorter than 2 * n_ctx tokens, like
    // llama.cpp, or n_ctx is below 4.
    static uint64_t chunkCount(uint64_t tokens, uint64_t contextLength, uint64_t maxChunks);

    // `bos` replaces the first token of each chunk; -1 keeps it. Progress is reported in tokens
    // run through a model; returning false throws Cancelled. Throws Error for token ids outside
    // the vocabulary and when the original's kept distributions (scored tokens x vocabulary
    // floats) would exceed 8 GiB.
    PerplexityResult scoreOriginal(std::span<const int32_t> tokens, int32_t bos,
                                   const PerplexityOptions& options,
                                   const ProgressFn& progress = {});
    PerplexityComparison compare(std::span<const int32_t> tokens, int32_t bos,
                                 const PerplexityOptions& options, const WeightSource& quantized,
                                 const ProgressFn& progress = {});

private:
    // The original model's view of the scored positions of a run.
    struct Baseline {
        uint64_t fingerprint = 0;
        uint64_t contextLength = 0;
        uint64_t chunks = 0;
        std::vector<double> nll;       // per scored position
        std::vector<float> logProbs;   // per scored position, vocabSize log-softmax values
        std::vector<int32_t> topToken; // per scored position
    };
    struct Run {
        std::span<const int32_t> tokens;
        int32_t bos = -1;
        uint64_t contextLength = 0;
        uint64_t chunks = 0;
        uint64_t scoredPerChunk = 0;
    };

    Run plan(std::span<const int32_t> tokens, int32_t bos, const PerplexityOptions& options) const;
    PerplexityResult describe(const Run& run) const;
    // Runs `runner` over every chunk and hands each chunk's logits to `score(chunk, logits)`.
    void runChunks(LlamaRunner& runner, const Run& run, const ProgressFn& progress,
                   uint64_t progressOffset, uint64_t progressTotal,
                   const std::function<void(uint64_t, const std::vector<float>&)>& score) const;
    const Baseline& baseline(const Run& run, const ProgressFn& progress, uint64_t progressTotal);
    // What the original's results over the run depend on.
    BaselineCache::Key diskKey(const Run& run);
    // The baseline kept in memory for the run, else the one the disk cache holds (then kept in
    // memory); nullptr when neither has it, and baseline() runs the original model.
    const Baseline* findBaseline(const Run& run);

    const Checkpoint& checkpoint_;
    LlamaConfig config_;
    std::shared_ptr<const LlamaEngine> engine_;
    std::unique_ptr<LlamaRunner> original_;
    std::unique_ptr<Baseline> baseline_;
    std::shared_ptr<const BaselineCache> baselineCache_;
    std::optional<BaselineCache::Key> modelKey_; // the model's part of diskKey, hashed once
    BaselineOrigin baselineOrigin_ = BaselineOrigin::Computed;
};

} // namespace bitlens

// SPDX-License-Identifier: MIT
#include "core/eval/PerplexityEvaluator.h"

#include "core/util/Error.h"
#include "core/util/ParallelFor.h"

#include <algorithm>
#include <cmath>

namespace bitlens {

namespace {

constexpr uint64_t kDefaultContext = 512;
constexpr uint64_t kMinContext = 4;
// The original model's log-probabilities over the scored positions are kept for the KL
// divergence: at most this many bytes of them.
constexpr uint64_t kMaxBaselineBytes = uint64_t(8) << 30;
// Names the cached baseline and the revision of the computation behind it.
constexpr const char* kBaselineTag = "perplexity-baseline/1";

// FNV-1a over the token ids and BOS: which stream a baseline belongs to.
uint64_t fingerprintOf(std::span<const int32_t> tokens, int32_t bos) {
    uint64_t hash = 0xcbf29ce484222325ull;
    auto mix = [&hash](int32_t value) {
        for (int shift = 0; shift < 32; shift += 8) {
            hash ^= (uint32_t(value) >> shift) & 0xffu;
            hash *= 0x100000001b3ull;
        }
    };
    mix(bos);
    for (int32_t token : tokens)
        mix(token);
    return hash;
}

// log-softmax of one row of logits into `out` (float), the normalizer in double; returns the
// negative log-likelihood of `target` in double.
double logSoftmax(std::span<const float> logits, int32_t target, std::span<float> out) {
    const float largest = *std::max_element(logits.begin(), logits.end());
    double sum = 0;
    for (float logit : logits)
        sum += std::exp(double(logit) - double(largest));
    const double logNormalizer = double(largest) + std::log(sum);
    for (size_t i = 0; i < logits.size(); ++i)
        out[i] = float(double(logits[i]) - logNormalizer);
    return logNormalizer - double(logits[size_t(target)]);
}

int32_t argMax(std::span<const float> values) {
    return int32_t(std::max_element(values.begin(), values.end()) - values.begin());
}

PerplexityScore scoreOf(std::span<const double> nll) {
    double sum = 0;
    double squares = 0;
    for (double value : nll) {
        sum += value;
        squares += value * value;
    }
    const double count = double(nll.size());
    const double mean = sum / count;
    const double variance = squares / count - mean * mean;
    PerplexityScore score;
    score.ppl = std::exp(mean);
    score.pplError =
        variance > 0 && nll.size() > 1 ? score.ppl * std::sqrt(variance / (count - 1)) : 0.0;
    return score;
}

// llama.cpp's percentile of sorted values: linear interpolation at fraction * (n - 1).
double percentile(const std::vector<double>& sorted, double fraction) {
    const double position = fraction * double(sorted.size() - 1);
    const size_t below = size_t(position);
    const size_t above = std::min(below + 1, sorted.size() - 1);
    const double weight = position - double(below);
    return (1 - weight) * sorted[below] + weight * sorted[above];
}

} // namespace

PerplexityEvaluator::PerplexityEvaluator(const Checkpoint& checkpoint)
    : checkpoint_(checkpoint), config_(LlamaConfig::fromCheckpoint(checkpoint)),
      engine_(std::make_shared<CpuLlamaEngine>()) {}

void PerplexityEvaluator::setBaselineCache(std::shared_ptr<const BaselineCache> cache) {
    baselineCache_ = std::move(cache);
}

void PerplexityEvaluator::setEngine(std::shared_ptr<const LlamaEngine> engine) {
    if (!engine)
        throw Error("a perplexity evaluator needs an engine");
    engine_ = std::move(engine);
    original_.reset();
    baseline_.reset();
}

uint64_t PerplexityEvaluator::defaultContextLength(const LlamaConfig& config) {
    return std::min(kDefaultContext, config.contextLength);
}

std::vector<int32_t> PerplexityEvaluator::tokenizeText(const Tokenizer& tokenizer,
                                                       std::string_view text) {
    std::vector<int32_t> tokens;
    if (tokenizer.bos() >= 0)
        tokens.push_back(tokenizer.bos());
    const std::vector<int32_t> encoded = tokenizer.encode(text);
    tokens.insert(tokens.end(), encoded.begin(), encoded.end());
    return tokens;
}

uint64_t PerplexityEvaluator::chunkCount(uint64_t tokens, uint64_t contextLength,
                                         uint64_t maxChunks) {
    if (contextLength < kMinContext)
        throw Error("a context of " + std::to_string(contextLength) +
                    " tokens is too short for perplexity (at least " + std::to_string(kMinContext) +
                    ")");
    if (tokens < 2 * contextLength)
        throw Error("the text tokenizes to " + std::to_string(tokens) +
                    " tokens; perplexity with a context of " + std::to_string(contextLength) +
                    " needs at least " + std::to_string(2 * contextLength));
    const uint64_t chunks = tokens / contextLength;
    return maxChunks ? std::min(chunks, maxChunks) : chunks;
}

PerplexityEvaluator::Run PerplexityEvaluator::plan(std::span<const int32_t> tokens, int32_t bos,
                                                   const PerplexityOptions& options) const {
    Run run;
    run.tokens = tokens;
    run.bos = bos;
    run.contextLength = options.contextLength ? options.contextLength : defaultContextLength();
    run.chunks = chunkCount(tokens.size(), run.contextLength, options.maxChunks);
    run.scoredPerChunk = run.contextLength - 1 - run.contextLength / 2;
    const uint64_t baselineBytes =
        run.chunks * run.scoredPerChunk * config_.vocabSize * sizeof(float);
    if (baselineBytes > kMaxBaselineBytes)
        throw Error("the original model's next-token distributions for " +
                    std::to_string(run.chunks) + " chunks take " +
                    std::to_string(baselineBytes >> 20) + " MiB, over the limit of " +
                    std::to_string(kMaxBaselineBytes >> 20) + " MiB: evaluate fewer chunks");
    if (bos >= 0 && uint64_t(bos) >= config_.vocabSize)
        throw Error("BOS id " + std::to_string(bos) + " is outside the model's vocabulary of " +
                    std::to_string(config_.vocabSize));
    const auto used = tokens.first(run.chunks * run.contextLength);
    const auto outside = std::find_if(used.begin(), used.end(), [&](int32_t token) {
        return token < 0 || uint64_t(token) >= config_.vocabSize;
    });
    if (outside != used.end())
        throw Error("token id " + std::to_string(*outside) + " at position " +
                    std::to_string(outside - used.begin()) +
                    " is outside the model's vocabulary of " + std::to_string(config_.vocabSize) +
                    " (tokenizer and model do not match)");
    return run;
}

PerplexityResult PerplexityEvaluator::describe(const Run& run) const {
    PerplexityResult result;
    result.contextLength = run.contextLength;
    result.chunks = run.chunks;
    result.textTokens = run.tokens.size();
    result.scoredTokens = run.chunks * run.scoredPerChunk;
    return result;
}

void PerplexityEvaluator::runChunks(
    LlamaRunner& runner, const Run& run, const ProgressFn& progress, uint64_t progressOffset,
    uint64_t progressTotal,
    const std::function<void(uint64_t, const std::vector<float>&)>& score) const {
    std::vector<int32_t> chunk(run.contextLength);
    for (uint64_t c = 0; c < run.chunks; ++c) {
        const auto source = run.tokens.subspan(c * run.contextLength, run.contextLength);
        std::copy(source.begin(), source.end(), chunk.begin());
        if (run.bos >= 0)
            chunk[0] = run.bos;
        score(c, runner.forward(chunk));
        if (progress && !progress(progressOffset + (c + 1) * run.contextLength, progressTotal))
            throw Cancelled();
    }
}

const PerplexityEvaluator::Baseline&
PerplexityEvaluator::baseline(const Run& run, const ProgressFn& progress, uint64_t progressTotal) {
    const uint64_t fingerprint = fingerprintOf(run.tokens, run.bos);
    if (!original_)
        original_ = engine_->load(checkpoint_, config_, OriginalWeights());
    const uint64_t vocab = config_.vocabSize;
    const uint64_t first = run.contextLength / 2;
    auto fresh = std::make_unique<Baseline>();
    fresh->fingerprint = fingerprint;
    fresh->contextLength = run.contextLength;
    fresh->chunks = run.chunks;
    const uint64_t scored = run.chunks * run.scoredPerChunk;
    fresh->nll.resize(scored);
    fresh->logProbs.resize(scored * vocab);
    fresh->topToken.resize(scored);
    runChunks(*original_, run, progress, 0, progressTotal,
              [&](uint64_t c, const std::vector<float>& logits) {
                  parallelForChunks(run.scoredPerChunk, 16, [&](size_t begin, size_t end) {
                      for (size_t j = begin; j < end; ++j) {
                          const uint64_t slot = c * run.scoredPerChunk + j;
                          const uint64_t position = first + j;
                          const auto row =
                              std::span<const float>(logits).subspan(position * vocab, vocab);
                          const int32_t target = run.tokens[c * run.contextLength + position + 1];
                          fresh->nll[slot] = logSoftmax(
                              row, target,
                              std::span<float>(fresh->logProbs).subspan(slot * vocab, vocab));
                          fresh->topToken[slot] = argMax(row);
                      }
                  });
              });
    if (baselineCache_)
        baselineCache_->store(diskKey(run), {std::as_bytes(std::span(fresh->nll)),
                                             std::as_bytes(std::span(fresh->logProbs)),
                                             std::as_bytes(std::span(fresh->topToken))});
    baselineOrigin_ = BaselineOrigin::Computed;
    baseline_ = std::move(fresh);
    return *baseline_;
}

PerplexityResult PerplexityEvaluator::scoreOriginal(std::span<const int32_t> tokens, int32_t bos,
                                                    const PerplexityOptions& options,
                                                    const ProgressFn& progress) {
    const Run run = plan(tokens, bos, options);
    const Baseline* found = findBaseline(run);
    const Baseline& base = found ? *found : baseline(run, progress, run.chunks * run.contextLength);
    PerplexityResult result = describe(run);
    result.original = scoreOf(std::span<const double>(base.nll).first(result.scoredTokens));
    return result;
}

PerplexityComparison PerplexityEvaluator::compare(std::span<const int32_t> tokens, int32_t bos,
                                                  const PerplexityOptions& options,
                                                  const WeightSource& quantized,
                                                  const ProgressFn& progress) {
    const Run run = plan(tokens, bos, options);
    const uint64_t perModel = run.chunks * run.contextLength;
    const Baseline* found = findBaseline(run);
    const uint64_t total = found ? perModel : 2 * perModel;
    const Baseline& base = found ? *found : baseline(run, progress, total);
    const std::unique_ptr<LlamaRunner> model = engine_->load(checkpoint_, config_, quantized);

    const uint64_t vocab = config_.vocabSize;
    const uint64_t first = run.contextLength / 2;
    const uint64_t scored = run.chunks * run.scoredPerChunk;
    std::vector<double> nll(scored);
    std::vector<double> kld(scored);
    std::vector<uint8_t> sameTop(scored);
    runChunks(*model, run, progress, total - perModel, total,
              [&](uint64_t c, const std::vector<float>& logits) {
                  parallelForChunks(run.scoredPerChunk, 16, [&](size_t begin, size_t end) {
                      std::vector<float> logProbs(vocab);
                      for (size_t j = begin; j < end; ++j) {
                          const uint64_t slot = c * run.scoredPerChunk + j;
                          const uint64_t position = first + j;
                          const auto row =
                              std::span<const float>(logits).subspan(position * vocab, vocab);
                          nll[slot] = logSoftmax(
                              row, run.tokens[c * run.contextLength + position + 1], logProbs);
                          const float* reference = base.logProbs.data() + slot * vocab;
                          double divergence = 0;
                          for (uint64_t v = 0; v < vocab; ++v)
                              divergence += std::exp(double(reference[v])) *
                                            (double(reference[v]) - double(logProbs[v]));
                          kld[slot] = divergence;
                          sameTop[slot] = argMax(row) == base.topToken[slot];
                      }
                  });
              });

    PerplexityComparison result;
    static_cast<PerplexityResult&>(result) = describe(run);
    result.original = scoreOf(std::span<const double>(base.nll).first(scored));
    result.quantized = scoreOf(nll);
    double kldSum = 0;
    for (double value : kld)
        kldSum += value;
    result.kldMean = kldSum / double(scored);
    result.sameTop =
        double(std::count(sameTop.begin(), sameTop.end(), uint8_t(1))) / double(scored);
    std::sort(kld.begin(), kld.end());
    result.kldP99 = percentile(kld, 0.99);
    return result;
}

BaselineCache::Key PerplexityEvaluator::diskKey(const Run& run) {
    if (!modelKey_) {
        const LlamaConfig& c = config_;
        modelKey_.emplace(kBaselineTag);
        modelKey_->add(c.architecture);
        for (uint64_t value :
             {c.dim, c.layers, c.heads, c.kvHeads, c.headDim, c.hiddenDim, c.vocabSize,
              c.slidingWindow, uint64_t(c.ropePairing), uint64_t(c.tiedOutput)})
            modelKey_->addValue(value);
        modelKey_->addValue(c.ropeTheta).addValue(c.normEpsilon).add(c.ropeScaling);
        modelKey_->add(std::as_bytes(std::span(c.ropeInverseFrequencies)));
        std::vector<long> tensors = {long(c.tensors.embedding), long(c.tensors.outputNorm),
                                     long(c.tensors.output)};
        for (const LlamaLayerTensors& t : c.tensors.layers)
            tensors.insert(tensors.end(),
                           {long(t.attentionNorm), long(t.query), long(t.key), long(t.value),
                            long(t.attentionOutput), t.queryBias, t.keyBias, t.valueBias,
                            t.attentionOutputBias, long(t.ffnNorm), long(t.gate), long(t.up),
                            long(t.down)});
        for (long tensor : tensors)
            if (tensor >= 0)
                modelKey_->addTensor(checkpoint_, size_t(tensor));
    }
    BaselineCache::Key key = *modelKey_;
    key.add(std::as_bytes(run.tokens.first(run.chunks * run.contextLength)));
    key.addValue(run.bos).addValue(run.contextLength).addValue(run.chunks);
    key.add(engine_->name()); // engines agree within float rounding, not bit for bit
    return key;
}

const PerplexityEvaluator::Baseline* PerplexityEvaluator::findBaseline(const Run& run) {
    const uint64_t fingerprint = fingerprintOf(run.tokens, run.bos);
    if (baseline_ && baseline_->fingerprint == fingerprint &&
        baseline_->contextLength == run.contextLength && baseline_->chunks >= run.chunks) {
        baselineOrigin_ = BaselineOrigin::Memory;
        return baseline_.get();
    }
    if (!baselineCache_)
        return nullptr;
    const std::optional<BaselineCache::Entry> entry = baselineCache_->load(diskKey(run));
    const uint64_t scored = run.chunks * run.scoredPerChunk;
    auto loaded = std::make_unique<Baseline>();
    loaded->fingerprint = fingerprint;
    loaded->contextLength = run.contextLength;
    loaded->chunks = run.chunks;
    if (!entry || entry->sectionCount() != 3 || !entry->read(0, scored, loaded->nll) ||
        !entry->read(1, scored * config_.vocabSize, loaded->logProbs) ||
        !entry->read(2, scored, loaded->topToken))
        return nullptr;
    baseline_ = std::move(loaded);
    baselineOrigin_ = BaselineOrigin::Disk;
    return baseline_.get();
}

} // namespace bitlens

// SPDX-License-Identifier: MIT
#pragma once

#include "core/backend/QuantBackend.h"
#include "core/eval/LlamaConfig.h"
#include "core/eval/WeightSource.h"
#include "core/io/Checkpoint.h"

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace bitlens {

// A llama-family decoder with one set of weights loaded, ready to run token sequences.
class LlamaRunner {
public:
    virtual ~LlamaRunner() = default;
    virtual const LlamaConfig& config() const = 0;
    // Logits [tokens.size(), vocabSize] of a sequence that starts at position 0 (LlamaModel::
    // forward): row p predicts the token after tokens[p]. Throws Error for an empty sequence, a
    // token outside the vocabulary or a sequence longer than the engine or model can attend over.
    virtual std::vector<float> forward(std::span<const int32_t> tokens) = 0;
    // The last row of forward(tokens) only: the logits of the next token.
    virtual std::vector<float> nextTokenLogits(std::span<const int32_t> tokens) = 0;
};

// Where a language model's forward pass runs: the CPU reference or a device. Engines give the
// same logits within float rounding (1e-4 relative).
class LlamaEngine {
public:
    virtual ~LlamaEngine() = default;
    // "cpu" or "vulkan: <device name>".
    virtual std::string name() const = 0;
    // Reads every weight `config` names through `weights` once; `checkpoint` is only read here.
    virtual std::unique_ptr<LlamaRunner> load(const Checkpoint& checkpoint,
                                              const LlamaConfig& config,
                                              const WeightSource& weights) const = 0;
    // Why this engine cannot run `config` on sequences of up to `contextLength` tokens (a device
    // limit); empty when it can. Callers that may fall back to another engine ask before load().
    virtual std::string limitation(const LlamaConfig& config, uint64_t contextLength) const {
        (void)config;
        (void)contextLength;
        return {};
    }
};

// The CPU reference (LlamaModel) on every core.
class CpuLlamaEngine final : public LlamaEngine {
public:
    std::string name() const override { return "cpu"; }
    std::unique_ptr<LlamaRunner> load(const Checkpoint& checkpoint, const LlamaConfig& config,
                                      const WeightSource& weights) const override;
};

// How generateTokens() picks each next token: temperature 0 takes the most likely token (greedy);
// above 0 it draws from softmax(logits / temperature) with a generator seeded by `seed`, so the
// same seed gives the same text on every engine that gives the same logits.
struct SamplingOptions {
    float temperature = 0.0f;
    uint64_t seed = 0;
};

// Continues `prompt` (not empty) by up to `count` tokens and returns the new ones. Stops after
// emitting `stop` (when not -1) or when the sequence reaches the model's context length.
// Recomputes the whole sequence for each token (no key/value cache): meant for a few dozen
// tokens. `progress` hears (tokens generated, count) after each token; returning false throws
// Cancelled. Throws Error for a negative or non-finite temperature and what the runner throws.
std::vector<int32_t> generateTokens(LlamaRunner& runner, std::span<const int32_t> prompt,
                                    uint64_t count, const SamplingOptions& sampling,
                                    int32_t stop = -1, const ProgressFn& progress = {});

} // namespace bitlens

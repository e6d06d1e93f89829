// SPDX-License-Identifier: MIT
#pragma once

#include "core/eval/LlamaConfig.h"
#include "core/eval/WeightSource.h"

#include <cstdint>
#include <span>
#include <vector>

namespace bitlens {

// A llama-family decoder on the float32 CPU reference operators (TransformerMath.h). The weights
// are read once, at construction, through a WeightSource: the checkpoint's own values, or a
// format's quantize-then-dequantize of them. Immutable afterwards, so one model serves several
// threads.
class LlamaModel {
public:
    // `checkpoint` is only read during construction. Throws what the WeightSource throws.
    LlamaModel(const Checkpoint& checkpoint, LlamaConfig config, const WeightSource& weights);

    const LlamaConfig& config() const { return config_; }

    // Logits [tokens.size(), vocabSize] of a sequence that starts at position 0: row p predicts
    // the token after tokens[p]. The whole chunk runs at once (causal attention). Throws Error
    // where LlamaConfig::checkSequence refuses the tokens.
    std::vector<float> forward(std::span<const int32_t> tokens) const;

    // The logits [vocabSize] of the token after the last of `tokens`: forward()'s last row.
    std::vector<float> nextTokenLogits(std::span<const int32_t> tokens) const;

private:
    struct Layer {
        std::vector<float> attentionNorm, query, key, value, attentionOutput;
        std::vector<float> queryBias, keyBias, valueBias, attentionOutputBias; // empty: none
        std::vector<float> ffnNorm, gate, up, down;
    };

    // The final-normed hidden states [tokens.size(), dim].
    std::vector<float> hiddenStates(std::span<const int32_t> tokens) const;
    // Logits of `rows` hidden states.
    std::vector<float> project(std::span<const float> hidden, uint64_t rows) const;
    const std::vector<float>& outputMatrix() const;

    LlamaConfig config_;
    std::vector<float> embedding_;
    std::vector<Layer> layers_;
    std::vector<float> outputNorm_;
    std::vector<float> output_; // empty when tied to the embedding
};

} // namespace bitlens

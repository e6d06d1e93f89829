// SPDX-License-Identifier: MIT
#pragma once

#include "core/eval/TransformerMath.h"
#include "core/io/Checkpoint.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace bitlens {

// Where one decoder layer's weights are in the checkpoint (indices into tensors()); a bias index
// is -1 when the model has none.
struct LlamaLayerTensors {
    size_t attentionNorm = 0, query = 0, key = 0, value = 0, attentionOutput = 0;
    long queryBias = -1, keyBias = -1, valueBias = -1, attentionOutputBias = -1;
    size_t ffnNorm = 0, gate = 0, up = 0, down = 0;
};

struct LlamaTensors {
    size_t embedding = 0; // [vocab, dim]
    std::vector<LlamaLayerTensors> layers;
    size_t outputNorm = 0;
    size_t output = 0; // [vocab, dim]; equals embedding when the output matrix is tied
};

// The hyper-parameters and weight locations of a llama-family decoder (Llama, Mistral, Qwen2):
// RMSNorm, rotary embedding, grouped-query attention, SwiGLU feed-forward. Every weight has been
// found by name and its shape checked.
struct LlamaConfig {
    std::string architecture; // "llama" (llama2.c, GGUF) or the Hugging Face class name
    uint64_t dim = 0;
    uint64_t layers = 0;
    uint64_t heads = 0;
    uint64_t kvHeads = 0;
    uint64_t headDim = 0;
    uint64_t hiddenDim = 0;
    uint64_t vocabSize = 0;
    uint64_t contextLength = 0; // the context the model was trained for
    uint64_t slidingWindow = 0; // attention window of Mistral/Qwen2 configs, 0 when unlimited
    float ropeTheta = 10000.0f;
    float normEpsilon = 1e-5f;
    RopePairing ropePairing = RopePairing::Adjacent;
    std::string ropeScaling = "none"; // "none", "linear", "llama3" or "rope_freqs" (GGUF)
    // Angle per position step of each of the headDim / 2 RoPE pairs, scaling applied.
    std::vector<double> ropeInverseFrequencies;
    bool tiedOutput = false;
    LlamaTensors tensors;

    // Reads a llama2.c checkpoint, a GGUF file with general.architecture = llama, or a Hugging Face
    // folder (LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM). Throws FileError naming the
    // checkpoint for another architecture or format, an unsupported rope scaling, inconsistent
    // hyper-parameters, or a missing or misshapen weight (named).
    static LlamaConfig fromCheckpoint(const Checkpoint& checkpoint);

    // Throws Error unless the model can run `tokens` as one sequence: at least one token, every id
    // inside the vocabulary, and no more tokens than a sliding attention window (BitLens computes
    // full attention only, so it refuses longer sequences instead of giving different numbers).
    // Every LlamaEngine checks this before a forward pass.
    void checkSequence(std::span<const int32_t> tokens) const;
};

} // namespace bitlens

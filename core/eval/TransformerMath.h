// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace bitlens {

// Float32 CPU reference of the llama-family operators. Vulkan operators must match these within
// 1e-4 relative. Matrices are row-major; a weight matrix is [outFeatures, inFeatures] (the
// PyTorch / GGUF layout, rows = output channels). Every function writes all of `out`, which
// must not overlap the inputs unless the function says it works in place.

// out[p, r] = sum_c in[p, c] * weight[r, c] for p < positions: in is [positions, inFeatures],
// weight [outFeatures, inFeatures], out [positions, outFeatures]. Sums in double.
void linearForward(std::span<const float> in, uint64_t positions, uint64_t inFeatures,
                   std::span<const float> weight, uint64_t outFeatures, std::span<float> out);

// Per row of `dim` values: out = in / sqrt(mean(in^2) + epsilon) * weight. Works in place.
void rmsNorm(std::span<const float> in, uint64_t dim, std::span<const float> weight, float epsilon,
             std::span<float> out);

// How rotary embedding pairs the dimensions of one head of `headDim` values.
enum class RopePairing : uint8_t {
    Adjacent, // (2i, 2i+1): llama2.c and GGUF llama (q/k rows permuted at conversion)
    HalfSplit // (i, i + headDim/2): Hugging Face LlamaForCausalLM and friends
};

// Rotates, in place, every head of `heads` in each of `positions` rows of [heads * headDim]
// values; row p is at sequence position firstPosition + p. Pair i turns by the angle
// position * theta^(-2i / headDim), computed in double.
void applyRope(std::span<float> rows, uint64_t positions, uint64_t firstPosition, uint64_t heads,
               uint64_t headDim, float theta, RopePairing pairing);

// The same rotation with the angle of pair i given directly as position * inverseFrequencies[i]
// (headDim / 2 values), for rescaled RoPE (linear, llama3, GGUF rope_freqs).
void applyRope(std::span<float> rows, uint64_t positions, uint64_t firstPosition, uint64_t heads,
               uint64_t headDim, std::span<const double> inverseFrequencies, RopePairing pairing);

// theta^(-2i / headDim) for each pair i < headDim / 2, computed in double: the inverse
// frequencies of unscaled RoPE.
std::vector<double> ropeInverseFrequencies(uint64_t headDim, float theta);

// In place, per row of `width` values: exp(x - max) / sum, the sum in double.
void softmaxRows(std::span<float> rows, uint64_t width);

// out = silu(gate) * up, silu(x) = x / (1 + exp(-x)).
void swiGlu(std::span<const float> gate, std::span<const float> up, std::span<float> out);

// Causal multi-head attention with grouped-query heads over one sequence of `positions` tokens:
// q is [positions, heads * headDim], k and v [positions, kvHeads * headDim], out like q. Head h
// reads key/value head h / (heads / kvHeads); scores are q.k / sqrt(headDim), position p sees
// positions 0..p. heads must be a multiple of kvHeads.
void causalAttention(std::span<const float> q, std::span<const float> k, std::span<const float> v,
                     uint64_t positions, uint64_t heads, uint64_t kvHeads, uint64_t headDim,
                     std::span<float> out);

} // namespace bitlens

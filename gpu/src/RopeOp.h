// SPDX-License-Identifier: MIT
#pragma once

#include "OpRecorder.h"
#include "core/eval/TransformerMath.h"

#include <span>
#include <vector>

namespace bitlens {

// cos and sin of every rotary angle of `positions` rows starting at firstPosition, as
// [positions, headDim / 2, 2]: the angles applyRope (core/eval/TransformerMath.h) computes in
// double, rounded to float exactly as it does. Upload once per sequence length and reuse.
// Throws Error for an odd or zero headDim.
std::vector<float> ropeTable(uint64_t positions, uint64_t firstPosition, uint64_t headDim,
                             float theta);
// The same table with the angle of pair i given as position * inverseFrequencies[i] (headDim / 2
// values, LlamaConfig::ropeInverseFrequencies): rescaled RoPE. Throws Error for an empty list.
std::vector<float> ropeTable(uint64_t positions, uint64_t firstPosition,
                             std::span<const double> inverseFrequencies);

// applyRope in place on `rows` ([positions, heads * headDim]) with a ropeTable of the same
// positions and headDim. Throws Error when a buffer is too small.
void recordRope(OpRecorder& recorder, const GpuBuffer& rows, const GpuBuffer& table,
                uint64_t positions, uint64_t heads, uint64_t headDim, RopePairing pairing);

} // namespace bitlens

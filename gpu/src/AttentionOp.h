// SPDX-License-Identifier: MIT
#pragma once

#include "OpRecorder.h"

namespace bitlens {

// The longest sequence recordCausalAttention takes (its scores live in shared memory).
inline constexpr uint64_t kMaxAttentionPositions = 2048; // MAX_POSITIONS in attention.comp

// causalAttention (core/eval/TransformerMath.h) over one sequence: q and out are
// [positions, heads * headDim], k and v [positions, kvHeads * headDim]. Throws Error when heads
// is not a multiple of kvHeads, positions exceeds kMaxAttentionPositions or a buffer is too small.
void recordCausalAttention(OpRecorder& recorder, const GpuBuffer& q, const GpuBuffer& k,
                           const GpuBuffer& v, uint64_t positions, uint64_t heads, uint64_t kvHeads,
                           uint64_t headDim, const GpuBuffer& out);

} // namespace bitlens

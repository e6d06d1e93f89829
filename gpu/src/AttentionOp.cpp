// SPDX-License-Identifier: MIT
#include "AttentionOp.h"

#include "core/util/Error.h"

#include <cmath>

namespace bitlens {
namespace {

struct AttentionParameters {
    uint32_t positions;
    uint32_t heads;
    uint32_t kvHeads;
    uint32_t headDim;
    float scale;
};

} // namespace

void recordCausalAttention(OpRecorder& recorder, const GpuBuffer& q, const GpuBuffer& k,
                           const GpuBuffer& v, uint64_t positions, uint64_t heads, uint64_t kvHeads,
                           uint64_t headDim, const GpuBuffer& out) {
    if (kvHeads == 0 || heads % kvHeads != 0)
        throw Error("attention with " + std::to_string(heads) + " heads cannot share " +
                    std::to_string(kvHeads) + " key/value heads");
    if (positions > kMaxAttentionPositions)
        throw Error("the Vulkan attention takes at most " + std::to_string(kMaxAttentionPositions) +
                    " positions, not " + std::to_string(positions));
    if (headDim == 0)
        throw Error("attention with heads of no values");
    const uint64_t queryCount = positions * heads * headDim;
    const uint64_t keyCount = positions * kvHeads * headDim;
    OpRecorder::requireFloats(q, queryCount, "attention queries");
    OpRecorder::requireFloats(k, keyCount, "attention keys");
    OpRecorder::requireFloats(v, keyCount, "attention values");
    OpRecorder::requireFloats(out, queryCount, "attention output");
    const AttentionParameters parameters{
        uint32_t(positions), OpRecorder::index32(heads, "attention heads"), uint32_t(kvHeads),
        OpRecorder::index32(headDim, "head size"), float(1.0 / std::sqrt(double(headDim)))};
    OpRecorder::index32(queryCount, "attention size");
    recorder.dispatch("attention", {&q, &k, &v, &out}, parameters, positions * heads);
}

} // namespace bitlens

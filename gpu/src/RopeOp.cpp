// SPDX-License-Identifier: MIT
#include "RopeOp.h"

#include "core/util/Error.h"

#include <cmath>

namespace bitlens {
namespace {

constexpr uint64_t kThreads = 256; // local_size_x of rope.comp

struct RopeParameters {
    uint32_t rows;
    uint32_t heads;
    uint32_t headDim;
    uint32_t halfSplit;
};

void requireEvenHead(uint64_t headDim) {
    if (headDim == 0 || headDim % 2 != 0)
        throw Error("rotary embedding needs an even head size, got " + std::to_string(headDim));
}

} // namespace

std::vector<float> ropeTable(uint64_t positions, uint64_t firstPosition, uint64_t headDim,
                             float theta) {
    requireEvenHead(headDim);
    return ropeTable(positions, firstPosition, ropeInverseFrequencies(headDim, theta));
}

std::vector<float> ropeTable(uint64_t positions, uint64_t firstPosition,
                             std::span<const double> inverseFrequencies) {
    if (inverseFrequencies.empty())
        throw Error("rotary embedding needs at least one frequency");
    const uint64_t half = inverseFrequencies.size();
    std::vector<float> table(positions * half * 2);
    for (uint64_t p = 0; p < positions; ++p) {
        const double position = double(firstPosition + p);
        for (uint64_t i = 0; i < half; ++i) {
            const double angle = position * inverseFrequencies[i];
            table[(p * half + i) * 2] = float(std::cos(angle));
            table[(p * half + i) * 2 + 1] = float(std::sin(angle));
        }
    }
    return table;
}

void recordRope(OpRecorder& recorder, const GpuBuffer& rows, const GpuBuffer& table,
                uint64_t positions, uint64_t heads, uint64_t headDim, RopePairing pairing) {
    requireEvenHead(headDim);
    const uint64_t count = positions * heads * headDim;
    OpRecorder::requireFloats(rows, count, "rotary embedding rows");
    OpRecorder::requireFloats(table, positions * headDim, "rotary embedding table");
    const RopeParameters parameters{
        OpRecorder::index32(positions, "rotary positions"), OpRecorder::index32(heads, "heads"),
        OpRecorder::index32(headDim, "head size"), pairing == RopePairing::HalfSplit ? 1u : 0u};
    OpRecorder::index32(count, "rotary embedding size");
    recorder.dispatch("rope", {&rows, &table}, parameters, groupsFor(count / 2, kThreads));
}

} // namespace bitlens

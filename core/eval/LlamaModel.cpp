// SPDX-License-Identifier: MIT
#include "core/eval/LlamaModel.h"

#include "core/eval/LlamaWeightSlots.h"
#include "core/util/Error.h"
#include "core/util/ParallelFor.h"

#include <algorithm>
#include <thread>

namespace bitlens {

namespace {

// linearForward over slices of positions on all hardware threads.
void parallelLinear(std::span<const float> in, uint64_t positions, uint64_t inFeatures,
                    std::span<const float> weight, uint64_t outFeatures, std::span<float> out) {
    parallelForChunks(positions, 4, [&](size_t begin, size_t end) {
        linearForward(in.subspan(begin * inFeatures, (end - begin) * inFeatures), end - begin,
                      inFeatures, weight, outFeatures,
                      out.subspan(begin * outFeatures, (end - begin) * outFeatures));
    });
}

void addBias(std::span<float> rows, std::span<const float> bias) {
    if (bias.empty())
        return;
    for (size_t i = 0; i < rows.size(); ++i)
        rows[i] += bias[i % bias.size()];
}

void addInPlace(std::span<float> target, std::span<const float> values) {
    for (size_t i = 0; i < target.size(); ++i)
        target[i] += values[i];
}

} // namespace

LlamaModel::LlamaModel(const Checkpoint& checkpoint, LlamaConfig config,
                       const WeightSource& weights)
    : config_(std::move(config)), layers_(config_.layers) {
    const auto loads = llamaWeightSlots(config_, embedding_, outputNorm_, output_, layers_);
    parallelFor(loads.size(), std::max(1u, std::thread::hardware_concurrency()), [&](size_t i) {
        *loads[i].target = weights.values(checkpoint, size_t(loads[i].tensor));
    });
}

const std::vector<float>& LlamaModel::outputMatrix() const {
    return config_.tiedOutput ? embedding_ : output_;
}

std::vector<float> LlamaModel::hiddenStates(std::span<const int32_t> tokens) const {
    const LlamaConfig& c = config_;
    c.checkSequence(tokens);
    const uint64_t n = tokens.size();
    const uint64_t dim = c.dim;
    const uint64_t queryWidth = c.heads * c.headDim;
    const uint64_t kvWidth = c.kvHeads * c.headDim;
    std::vector<float> x(n * dim);
    for (uint64_t p = 0; p < n; ++p) {
        const int32_t token = tokens[p];
        std::copy_n(embedding_.begin() + ptrdiff_t(uint64_t(token) * dim), dim,
                    x.begin() + ptrdiff_t(p * dim));
    }
    std::vector<float> normed(n * dim), q(n * queryWidth), k(n * kvWidth), v(n * kvWidth);
    std::vector<float> attention(n * queryWidth), projected(n * dim);
    std::vector<float> gate(n * c.hiddenDim), up(n * c.hiddenDim), activated(n * c.hiddenDim);
    for (const Layer& layer : layers_) {
        rmsNorm(x, dim, layer.attentionNorm, c.normEpsilon, normed);
        parallelLinear(normed, n, dim, layer.query, queryWidth, q);
        parallelLinear(normed, n, dim, layer.key, kvWidth, k);
        parallelLinear(normed, n, dim, layer.value, kvWidth, v);
        addBias(q, layer.queryBias);
        addBias(k, layer.keyBias);
        addBias(v, layer.valueBias);
        applyRope(q, n, 0, c.heads, c.headDim, c.ropeInverseFrequencies, c.ropePairing);
        applyRope(k, n, 0, c.kvHeads, c.headDim, c.ropeInverseFrequencies, c.ropePairing);
        causalAttention(q, k, v, n, c.heads, c.kvHeads, c.headDim, attention);
        parallelLinear(attention, n, queryWidth, layer.attentionOutput, dim, projected);
        addBias(projected, layer.attentionOutputBias);
        addInPlace(x, projected);

        rmsNorm(x, dim, layer.ffnNorm, c.normEpsilon, normed);
        parallelLinear(normed, n, dim, layer.gate, c.hiddenDim, gate);
        parallelLinear(normed, n, dim, layer.up, c.hiddenDim, up);
        swiGlu(gate, up, activated);
        parallelLinear(activated, n, c.hiddenDim, layer.down, dim, projected);
        addInPlace(x, projected);
    }
    rmsNorm(x, dim, outputNorm_, c.normEpsilon, x);
    return x;
}

std::vector<float> LlamaModel::project(std::span<const float> hidden, uint64_t rows) const {
    std::vector<float> logits(rows * config_.vocabSize);
    parallelLinear(hidden, rows, config_.dim, outputMatrix(), config_.vocabSize, logits);
    return logits;
}

std::vector<float> LlamaModel::forward(std::span<const int32_t> tokens) const {
    return project(hiddenStates(tokens), tokens.size());
}

std::vector<float> LlamaModel::nextTokenLogits(std::span<const int32_t> tokens) const {
    const std::vector<float> hidden = hiddenStates(tokens);
    return project(std::span<const float>(hidden).last(config_.dim), 1);
}

} // namespace bitlens

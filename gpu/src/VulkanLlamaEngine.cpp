// SPDX-License-Identifier: MIT
#include "VulkanLlamaEngine.h"

#include "AttentionOp.h"
#include "ElementwiseOps.h"
#include "MatMulOp.h"
#include "RopeOp.h"
#include "RowOps.h"
#include "core/eval/LlamaWeightSlots.h"
#include "core/util/Error.h"
#include "core/util/ParallelFor.h"

#include <algorithm>
#include <cstring>
#include <mutex>
#include <thread>
#include <utility>

namespace bitlens {
namespace {

class VulkanLlamaRunner final : public LlamaRunner {
public:
    VulkanLlamaRunner(std::shared_ptr<ComputeSession> session, const Checkpoint& checkpoint,
                      LlamaConfig config, const WeightSource& weights)
        : session_(std::move(session)), config_(std::move(config)), layers_(config_.layers) {
        const auto loads = llamaWeightSlots(config_, embedding_, outputNorm_, output_, layers_);
        // Weights are read (and quantized) on every core; the session uploads one at a time.
        std::mutex uploading;
        parallelFor(loads.size(), std::max(1u, std::thread::hardware_concurrency()), [&](size_t i) {
            const size_t tensor = size_t(loads[i].tensor);
            const std::vector<float> values = weights.values(checkpoint, tensor);
            const std::lock_guard lock(uploading);
            try {
                *loads[i].target = session_->upload(values);
            } catch (const Error& error) {
                throw Error("tensor " + checkpoint.tensors()[tensor].name + ": " + error.what());
            }
        });
    }

    const LlamaConfig& config() const override { return config_; }

    std::vector<float> forward(std::span<const int32_t> tokens) override {
        return run(tokens, tokens.size());
    }

    std::vector<float> nextTokenLogits(std::span<const int32_t> tokens) override {
        return run(tokens, 1);
    }

private:
    struct Layer {
        GpuBuffer attentionNorm, query, key, value, attentionOutput;
        GpuBuffer queryBias, keyBias, valueBias, attentionOutputBias; // empty: none
        GpuBuffer ffnNorm, gate, up, down;
    };

    static const GpuBuffer* optional(const GpuBuffer& buffer) {
        return buffer.get() == VK_NULL_HANDLE ? nullptr : &buffer;
    }

    const GpuBuffer& outputMatrix() const { return config_.tiedOutput ? embedding_ : output_; }

    void validate(std::span<const int32_t> tokens) const {
        config_.checkSequence(tokens);
        const uint64_t n = tokens.size();
        if (n > kMaxAttentionPositions)
            throw Error("a sequence of " + std::to_string(n) +
                        " tokens exceeds the Vulkan attention's limit of " +
                        std::to_string(kMaxAttentionPositions) +
                        " positions: use a shorter context or the CPU engine");
    }

    // Activation buffers for `positions` rows, kept for shorter sequences.
    void reserve(uint64_t positions) {
        if (positions <= capacity_)
            return;
        const LlamaConfig& c = config_;
        const uint64_t queryWidth = c.heads * c.headDim;
        const uint64_t kvWidth = c.kvHeads * c.headDim;
        x_ = session_->deviceBuffer(positions * c.dim);
        normed_ = session_->deviceBuffer(positions * c.dim);
        projected_ = session_->deviceBuffer(positions * c.dim);
        q_ = session_->deviceBuffer(positions * queryWidth);
        attention_ = session_->deviceBuffer(positions * queryWidth);
        k_ = session_->deviceBuffer(positions * kvWidth);
        v_ = session_->deviceBuffer(positions * kvWidth);
        gate_ = session_->deviceBuffer(positions * c.hiddenDim);
        up_ = session_->deviceBuffer(positions * c.hiddenDim);
        activated_ = session_->deviceBuffer(positions * c.hiddenDim);
        ropeTable_ = session_->upload(ropeTable(positions, 0, c.ropeInverseFrequencies));
        capacity_ = positions;
    }

    // Logits of the last `rows` of `tokens`'s positions, projected in passes whose logits fit a
    // storage buffer.
    std::vector<float> run(std::span<const int32_t> tokens, uint64_t rows) {
        validate(tokens);
        const uint64_t n = tokens.size();
        reserve(n);
        const uint64_t vocab = config_.vocabSize;
        const uint64_t range = session_->context()->description().maxStorageBufferRange / 4;
        const uint64_t rowsPerPass = std::min({rows, range / vocab, uint64_t(UINT32_MAX) / vocab});
        if (rowsPerPass == 0)
            throw Error("one row of " + std::to_string(vocab) +
                        " logits does not fit the device's storage buffers");
        if (logits_.size() < rowsPerPass * vocab * 4) {
            logits_ = session_->deviceBuffer(rowsPerPass * vocab);
            readback_ =
                GpuBuffer(session_->context(), rowsPerPass * vocab * 4, GpuBuffer::Kind::Readback);
        }
        std::vector<float> out(rows * vocab);
        for (uint64_t done = 0; done < rows; done += rowsPerPass) {
            const uint64_t count = std::min(rowsPerPass, rows - done);
            const uint64_t firstRow = n - rows + done;
            session_->run([&](OpRecorder& recorder) {
                if (done == 0)
                    recordHiddenStates(recorder, tokens);
                recordLogits(recorder, firstRow, count);
            });
            readback_.invalidate();
            std::memcpy(out.data() + done * vocab, readback_.mapped().data(), count * vocab * 4);
        }
        return out;
    }

    // The final-normed hidden states of `tokens` into normed_.
    void recordHiddenStates(OpRecorder& recorder, std::span<const int32_t> tokens) {
        const LlamaConfig& c = config_;
        const uint64_t n = tokens.size();
        const uint64_t rowBytes = c.dim * 4;
        std::vector<VkBufferCopy> gather(n);
        for (uint64_t p = 0; p < n; ++p)
            gather[p] = {uint64_t(tokens[p]) * rowBytes, p * rowBytes, rowBytes};
        vkCmdCopyBuffer(recorder.command(), embedding_.get(), x_.get(), uint32_t(n), gather.data());
        CommandSlot::barrier(recorder.command());
        const uint64_t queryWidth = c.heads * c.headDim;
        const uint64_t kvWidth = c.kvHeads * c.headDim;
        const MatMulShape toQuery{n, c.dim, queryWidth};
        const MatMulShape toKeyValue{n, c.dim, kvWidth};
        for (const Layer& layer : layers_) {
            recordRmsNorm(recorder, x_, n, c.dim, layer.attentionNorm, c.normEpsilon, normed_);
            recordMatMul(recorder, toQuery, normed_, layer.query, optional(layer.queryBias), q_);
            recordMatMul(recorder, toKeyValue, normed_, layer.key, optional(layer.keyBias), k_);
            recordMatMul(recorder, toKeyValue, normed_, layer.value, optional(layer.valueBias), v_);
            recordRope(recorder, q_, ropeTable_, n, c.heads, c.headDim, c.ropePairing);
            recordRope(recorder, k_, ropeTable_, n, c.kvHeads, c.headDim, c.ropePairing);
            recordCausalAttention(recorder, q_, k_, v_, n, c.heads, c.kvHeads, c.headDim,
                                  attention_);
            recordMatMul(recorder, {n, queryWidth, c.dim}, attention_, layer.attentionOutput,
                         optional(layer.attentionOutputBias), projected_);
            recordAddInPlace(recorder, n * c.dim, x_, projected_);

            recordRmsNorm(recorder, x_, n, c.dim, layer.ffnNorm, c.normEpsilon, normed_);
            recordMatMul(recorder, {n, c.dim, c.hiddenDim}, normed_, layer.gate, nullptr, gate_);
            recordMatMul(recorder, {n, c.dim, c.hiddenDim}, normed_, layer.up, nullptr, up_);
            recordSwiGlu(recorder, n * c.hiddenDim, gate_, up_, activated_);
            recordMatMul(recorder, {n, c.hiddenDim, c.dim}, activated_, layer.down, nullptr,
                         projected_);
            recordAddInPlace(recorder, n * c.dim, x_, projected_);
        }
        recordRmsNorm(recorder, x_, n, c.dim, outputNorm_, c.normEpsilon, normed_);
    }

    // Logits of hidden rows firstRow .. firstRow + count - 1 into readback_.
    void recordLogits(OpRecorder& recorder, uint64_t firstRow, uint64_t count) {
        const LlamaConfig& c = config_;
        const VkCommandBuffer command = recorder.command();
        const GpuBuffer* hidden = &normed_;
        if (firstRow != 0) {
            // Move the rows to the front of x_ (free once the hidden states are final).
            const VkBufferCopy rows{firstRow * c.dim * 4, 0, count * c.dim * 4};
            vkCmdCopyBuffer(command, normed_.get(), x_.get(), 1, &rows);
            CommandSlot::barrier(command);
            hidden = &x_;
        }
        recordMatMul(recorder, {count, c.dim, c.vocabSize}, *hidden, outputMatrix(), nullptr,
                     logits_);
        const VkBufferCopy result{0, 0, count * c.vocabSize * 4};
        vkCmdCopyBuffer(command, logits_.get(), readback_.get(), 1, &result);
        CommandSlot::barrierToHost(command);
    }

    std::shared_ptr<ComputeSession> session_;
    LlamaConfig config_;
    GpuBuffer embedding_;
    std::vector<Layer> layers_;
    GpuBuffer outputNorm_;
    GpuBuffer output_; // empty when tied to the embedding
    uint64_t capacity_ = 0;
    GpuBuffer x_, normed_, projected_, q_, attention_, k_, v_, gate_, up_, activated_;
    GpuBuffer ropeTable_;
    GpuBuffer logits_;
    GpuBuffer readback_;
};

} // namespace

VulkanLlamaEngine::VulkanLlamaEngine(std::shared_ptr<ComputeSession> session)
    : session_(std::move(session)) {}

std::string VulkanLlamaEngine::name() const {
    return "vulkan: " + session_->context()->description().name;
}

std::string VulkanLlamaEngine::limitation(const LlamaConfig& config, uint64_t contextLength) const {
    if (contextLength > kMaxAttentionPositions)
        return "a context of " + std::to_string(contextLength) + " tokens exceeds the Vulkan " +
               "attention's " + std::to_string(kMaxAttentionPositions);
    const uint64_t rangeFloats = session_->context()->description().maxStorageBufferRange / 4;
    // Logits are projected in passes that fit; weights and per-position activations must fit.
    const uint64_t activationWidth =
        std::max({config.hiddenDim, config.heads * config.headDim, config.dim});
    const uint64_t largest = std::max(std::max(config.vocabSize, activationWidth) * config.dim,
                                      contextLength * activationWidth);
    if (largest > rangeFloats)
        return "a weight or activation of " + std::to_string(largest * 4 >> 20) +
               " MiB exceeds the device's storage buffer range of " +
               std::to_string(rangeFloats * 4 >> 20) + " MiB";
    return {};
}

std::unique_ptr<LlamaRunner> VulkanLlamaEngine::load(const Checkpoint& checkpoint,
                                                     const LlamaConfig& config,
                                                     const WeightSource& weights) const {
    return std::make_unique<VulkanLlamaRunner>(session_, checkpoint, config, weights);
}

} // namespace bitlens

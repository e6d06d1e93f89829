// SPDX-License-Identifier: MIT
#pragma once

#include "ComputeSession.h"
#include "core/eval/LlamaEngine.h"

#include <memory>

namespace bitlens {

// A llama-family decoder's forward pass on a Vulkan device: embedding rows gathered by copies,
// then per layer RMSNorm, q/k/v projections (biases included), RoPE with the config's inverse
// frequencies and pairing, grouped-query causal attention, output projection, residual add and
// the SwiGLU feed-forward, all recorded into one submission per sequence (MatMulOp.h, RowOps.h,
// RopeOp.h, AttentionOp.h, ElementwiseOps.h). Its logits match LlamaModel's within 1e-4
// relative. A runner uploads its weights once at load() and keeps them; activations grow with
// the longest sequence seen. Runners and the engine share the session: one thread at a time.
class VulkanLlamaEngine final : public LlamaEngine {
public:
    explicit VulkanLlamaEngine(std::shared_ptr<ComputeSession> session);

    std::string name() const override; // "vulkan: <device name>"
    // Throws Error when a weight does not fit the device's storage buffers. The runner throws
    // Error for sequences over kMaxAttentionPositions (AttentionOp.h) tokens.
    std::unique_ptr<LlamaRunner> load(const Checkpoint& checkpoint, const LlamaConfig& config,
                                      const WeightSource& weights) const override;
    // A context over kMaxAttentionPositions, or a weight or activation larger than one storage
    // buffer (maxStorageBufferRange).
    std::string limitation(const LlamaConfig& config, uint64_t contextLength) const override;

private:
    std::shared_ptr<ComputeSession> session_;
};

} // namespace bitlens

// SPDX-License-Identifier: MIT
#pragma once

#include "ComputeSession.h"
#include "core/eval/ClassifierEngine.h"

#include <memory>

namespace bitlens {

// A Keras classifier's forward pass on a Vulkan device: every layer of KerasModel
// (Dense, Conv2D, pooling, batch normalization, activations) as the operators of MatMulOp.h,
// ImageOps.h, ElementwiseOps.h and RowOps.h, over batches of images. Its logits match
// ClassifierNetwork's within 1e-4 relative. A runner uploads its weights once at load() and
// keeps them; runners and the engine share the session, so use them from one thread at a time.
class VulkanClassifierEngine final : public ClassifierEngine {
public:
    explicit VulkanClassifierEngine(std::shared_ptr<ComputeSession> session);

    std::string name() const override; // "vulkan: <device name>"
    // Throws Error when one image's largest activation does not fit a storage buffer.
    std::unique_ptr<ClassifierRunner> load(const KerasModel& model,
                                           const std::vector<std::vector<size_t>>& weightIndices,
                                           const Checkpoint& checkpoint,
                                           const WeightSource& weights) const override;

private:
    std::shared_ptr<ComputeSession> session_;
};

} // namespace bitlens

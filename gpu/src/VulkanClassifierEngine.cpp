// SPDX-License-Identifier: MIT
#include "VulkanClassifierEngine.h"

#include "ElementwiseOps.h"
#include "ImageOps.h"
#include "MatMulOp.h"
#include "core/eval/ClassifierNetwork.h"
#include "core/util/Error.h"

#include <algorithm>
#include <cstring>
#include <numeric>
#include <utility>

namespace bitlens {
namespace {

constexpr uint64_t kMaxBatch = 256; // images per submission

uint64_t elementCount(const std::vector<uint64_t>& shape) {
    return std::accumulate(shape.begin(), shape.end(), uint64_t(1), std::multiplies<uint64_t>());
}

ImageShape imageShape(const std::vector<uint64_t>& shape) {
    return {shape[0], shape[1], shape[2]};
}

class VulkanClassifierRunner final : public ClassifierRunner {
public:
    VulkanClassifierRunner(std::shared_ptr<ComputeSession> session, const KerasModel& model,
                           const std::vector<std::vector<size_t>>& weightIndices,
                           const Checkpoint& checkpoint, const WeightSource& weights)
        : session_(std::move(session)), model_(model), softmaxLayer_(omittedSoftmaxLayer(model)) {
        const std::vector<KerasLayer>& layers = model.layers();
        uint64_t largest = elementCount(model.inputShape());
        for (size_t i = 0; i < layers.size(); ++i) {
            weights_.emplace_back();
            for (size_t tensor : weightIndices.at(i))
                weights_.back().push_back(session_->upload(weights.values(checkpoint, tensor)));
            largest = std::max(largest, elementCount(layers[i].outputShape));
        }
        const uint64_t range = session_->context()->description().maxStorageBufferRange / 4;
        batch_ = std::min({kMaxBatch, range / largest, uint64_t(UINT32_MAX) / largest});
        if (batch_ == 0)
            throw Error("model " + model.name() + ": an activation of " + std::to_string(largest) +
                        " floats does not fit the device's storage buffers");
        inputSize_ = elementCount(model.inputShape());
        classes_ = elementCount(model.outputShape());
        front_ = session_->deviceBuffer(batch_ * largest);
        back_ = session_->deviceBuffer(batch_ * largest);
        const auto& context = session_->context();
        staging_ = GpuBuffer(context, batch_ * inputSize_ * 4, GpuBuffer::Kind::Upload);
        readback_ = GpuBuffer(context, batch_ * classes_ * 4, GpuBuffer::Kind::Readback);
    }

    void logits(std::span<const float> inputs, uint64_t count, std::span<float> out) override {
        if (inputs.size() < count * inputSize_ || out.size() < count * classes_)
            throw Error("classifier batch of " + std::to_string(count) +
                        " images with too few inputs or outputs");
        for (uint64_t begin = 0; begin < count; begin += batch_) {
            const uint64_t images = std::min(batch_, count - begin);
            std::memcpy(staging_.mapped().data(), inputs.data() + begin * inputSize_,
                        images * inputSize_ * 4);
            staging_.flush();
            session_->run([&](OpRecorder& recorder) { recordBatch(recorder, images); });
            readback_.invalidate();
            std::memcpy(out.data() + begin * classes_, readback_.mapped().data(),
                        images * classes_ * 4);
        }
    }

private:
    void recordBatch(OpRecorder& recorder, uint64_t images) {
        const VkCommandBuffer command = recorder.command();
        const VkBufferCopy in{0, 0, images * inputSize_ * 4};
        vkCmdCopyBuffer(command, staging_.get(), front_.get(), 1, &in);
        CommandSlot::barrier(command);
        const std::vector<KerasLayer>& layers = model_.layers();
        for (size_t i = 0; i < layers.size(); ++i)
            if (recordLayer(recorder, i, images))
                std::swap(front_, back_);
        const VkBufferCopy result{0, 0, images * classes_ * 4};
        vkCmdCopyBuffer(command, front_.get(), readback_.get(), 1, &result);
        CommandSlot::barrierToHost(command);
    }

    // Records layer i from front_ (into back_ when it returns true, else in place), then its
    // activation, over `images` images.
    bool recordLayer(OpRecorder& recorder, size_t i, uint64_t images) {
        const KerasLayer& layer = model_.layers()[i];
        const std::vector<GpuBuffer>& w = weights_[i];
        const uint64_t inCount = images * elementCount(layer.inputShape);
        const uint64_t outCount = images * elementCount(layer.outputShape);
        const GpuBuffer* bias = layer.useBias && w.size() > 1 ? &w[1] : nullptr;
        bool wroteBack = true;
        switch (layer.kind) {
        case LayerKind::Dense: {
            const uint64_t features = layer.inputShape.back();
            recordMatMul(recorder, {inCount / features, features, layer.units, WeightLayout::InOut},
                         front_, w[0], bias, back_);
            break;
        }
        case LayerKind::Conv2D:
            recordConv2d(recorder, images, imageShape(layer.inputShape), layer.window,
                         layer.geometry, layer.units, front_, w[0], bias, back_);
            break;
        case LayerKind::MaxPooling2D:
        case LayerKind::AveragePooling2D:
            recordPool2d(
                recorder, layer.kind == LayerKind::MaxPooling2D ? PoolKind::Max : PoolKind::Average,
                images, imageShape(layer.inputShape), layer.window, layer.geometry, front_, back_);
            break;
        case LayerKind::GlobalAveragePooling2D:
            recordGlobalAveragePool2d(recorder, images, imageShape(layer.inputShape), front_,
                                      back_);
            break;
        case LayerKind::BatchNormalization: {
            size_t next = 0;
            const GpuBuffer* gamma = layer.scale ? &w[next++] : nullptr;
            const GpuBuffer* beta = layer.center ? &w[next++] : nullptr;
            recordBatchNorm(recorder, inCount, layer.inputShape.back(), front_, gamma, beta,
                            w[next], w[next + 1], layer.epsilon, back_);
            break;
        }
        case LayerKind::Flatten:
        case LayerKind::Dropout:
        case LayerKind::Activation:
            wroteBack = false; // reshapes and element-wise work stay in place
            break;
        }
        const bool hasActivation = layer.kind == LayerKind::Dense ||
                                   layer.kind == LayerKind::Conv2D ||
                                   layer.kind == LayerKind::Activation;
        if (hasActivation && i != softmaxLayer_)
            recordActivation(recorder, layer.activation, wroteBack ? back_ : front_, outCount,
                             layer.outputShape.back());
        return wroteBack;
    }

    std::shared_ptr<ComputeSession> session_;
    const KerasModel& model_;
    size_t softmaxLayer_;
    std::vector<std::vector<GpuBuffer>> weights_; // per layer, per weight
    uint64_t batch_ = 0;                          // images per submission
    uint64_t inputSize_ = 0;
    uint64_t classes_ = 0;
    GpuBuffer front_; // the current activations of the batch
    GpuBuffer back_;  // where the next layer writes
    GpuBuffer staging_;
    GpuBuffer readback_;
};

} // namespace

VulkanClassifierEngine::VulkanClassifierEngine(std::shared_ptr<ComputeSession> session)
    : session_(std::move(session)) {}

std::string VulkanClassifierEngine::name() const {
    return "vulkan: " + session_->context()->description().name;
}

std::unique_ptr<ClassifierRunner>
VulkanClassifierEngine::load(const KerasModel& model,
                             const std::vector<std::vector<size_t>>& weightIndices,
                             const Checkpoint& checkpoint, const WeightSource& weights) const {
    return std::make_unique<VulkanClassifierRunner>(session_, model, weightIndices, checkpoint,
                                                    weights);
}

} // namespace bitlens

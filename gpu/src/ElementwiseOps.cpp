// SPDX-License-Identifier: MIT
#include "ElementwiseOps.h"

#include "RowOps.h"
#include "core/util/Error.h"

namespace bitlens {
namespace {

constexpr uint64_t kThreads = 256; // local_size_x of activation, batchnorm, swiglu and add.comp

struct ActivationParameters {
    uint32_t count;
    uint32_t kind; // the numbering of activation.comp
    float negativeSlope;
    float maxValue;
    float threshold;
};

struct BatchNormParameters {
    uint32_t count;
    uint32_t channels;
    float epsilon;
    uint32_t hasGamma;
    uint32_t hasBeta;
};

uint32_t shaderKind(ActivationKind kind) {
    switch (kind) {
    case ActivationKind::Relu:
        return 1;
    case ActivationKind::Sigmoid:
        return 2;
    case ActivationKind::Tanh:
        return 3;
    case ActivationKind::Gelu:
        return 4;
    case ActivationKind::Swish:
        return 5;
    case ActivationKind::Linear:
    case ActivationKind::Softmax:
        break;
    }
    throw Error("activation has no element-wise shader");
}

} // namespace

void recordActivation(OpRecorder& recorder, const Activation& activation, const GpuBuffer& values,
                      uint64_t count, uint64_t channels) {
    if (activation.kind == ActivationKind::Linear)
        return;
    if (activation.kind == ActivationKind::Softmax) {
        if (channels == 0 || count % channels != 0)
            throw Error("softmax over " + std::to_string(count) + " values is not whole rows of " +
                        std::to_string(channels));
        recordSoftmaxRows(recorder, values, count / channels, channels);
        return;
    }
    OpRecorder::requireFloats(values, count, "activation");
    const ActivationParameters parameters{OpRecorder::index32(count, "activation size"),
                                          shaderKind(activation.kind), activation.negativeSlope,
                                          activation.maxValue, activation.threshold};
    recorder.dispatch("activation", {&values}, parameters, groupsFor(count, kThreads));
}

void recordBatchNorm(OpRecorder& recorder, uint64_t count, uint64_t channels, const GpuBuffer& x,
                     const GpuBuffer* gamma, const GpuBuffer* beta, const GpuBuffer& mean,
                     const GpuBuffer& variance, float epsilon, const GpuBuffer& y) {
    if (channels == 0)
        throw Error("batch normalization over no channels");
    OpRecorder::requireFloats(x, count, "batch normalization input");
    OpRecorder::requireFloats(y, count, "batch normalization output");
    OpRecorder::requireFloats(mean, channels, "batch normalization mean");
    OpRecorder::requireFloats(variance, channels, "batch normalization variance");
    if (gamma)
        OpRecorder::requireFloats(*gamma, channels, "batch normalization gamma");
    if (beta)
        OpRecorder::requireFloats(*beta, channels, "batch normalization beta");
    const BatchNormParameters parameters{OpRecorder::index32(count, "batch normalization size"),
                                         OpRecorder::index32(channels, "channels"), epsilon,
                                         gamma ? 1u : 0u, beta ? 1u : 0u};
    recorder.dispatch("batchnorm",
                      {&x, gamma ? gamma : &mean, beta ? beta : &mean, &mean, &variance, &y},
                      parameters, groupsFor(count, kThreads));
}

void recordSwiGlu(OpRecorder& recorder, uint64_t count, const GpuBuffer& gate, const GpuBuffer& up,
                  const GpuBuffer& out) {
    OpRecorder::requireFloats(gate, count, "SwiGLU gate");
    OpRecorder::requireFloats(up, count, "SwiGLU up projection");
    OpRecorder::requireFloats(out, count, "SwiGLU output");
    const uint32_t parameters = OpRecorder::index32(count, "SwiGLU size");
    recorder.dispatch("swiglu", {&gate, &up, &out}, parameters, groupsFor(count, kThreads));
}

void recordAddInPlace(OpRecorder& recorder, uint64_t count, const GpuBuffer& target,
                      const GpuBuffer& values) {
    if (target.get() == values.get())
        throw Error("an in-place add needs two different buffers");
    OpRecorder::requireFloats(target, count, "add target");
    OpRecorder::requireFloats(values, count, "add values");
    const uint32_t parameters = OpRecorder::index32(count, "add size");
    recorder.dispatch("add", {&target, &values}, parameters, groupsFor(count, kThreads));
}

} // namespace bitlens

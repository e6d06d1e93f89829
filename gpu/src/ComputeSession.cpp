// SPDX-License-Identifier: MIT
#include "ComputeSession.h"

#include "core/util/Error.h"

#include <cstring>

namespace bitlens {

ComputeSession::ComputeSession(std::shared_ptr<VulkanContext> context)
    : context_(context), kernels_(context), slot_(context) {}

std::shared_ptr<ComputeSession> ComputeSession::create(const VulkanContextOptions& options) {
    return std::make_shared<ComputeSession>(VulkanContext::create(options));
}

GpuBuffer ComputeSession::deviceBuffer(uint64_t floats) {
    if (floats > context_->description().maxStorageBufferRange / 4)
        throw Error("a buffer of " + std::to_string(floats) +
                    " floats exceeds the device's storage buffer range");
    return GpuBuffer(context_, floats * 4, GpuBuffer::Kind::DeviceLocal);
}

GpuBuffer ComputeSession::upload(std::span<const float> values) {
    GpuBuffer target = deviceBuffer(values.size());
    if (values.empty())
        return target;
    GpuBuffer staging(context_, values.size_bytes(), GpuBuffer::Kind::Upload);
    std::memcpy(staging.mapped().data(), values.data(), values.size_bytes());
    staging.flush();
    run([&](OpRecorder& recorder) {
        const VkBufferCopy region{0, 0, values.size_bytes()};
        vkCmdCopyBuffer(recorder.command(), staging.get(), target.get(), 1, &region);
    });
    return target;
}

std::vector<float> ComputeSession::download(const GpuBuffer& buffer, uint64_t floats) {
    OpRecorder::requireFloats(buffer, floats, "download");
    std::vector<float> values(floats);
    if (floats == 0)
        return values;
    GpuBuffer readback(context_, floats * 4, GpuBuffer::Kind::Readback);
    run([&](OpRecorder& recorder) {
        const VkBufferCopy region{0, 0, floats * 4};
        vkCmdCopyBuffer(recorder.command(), buffer.get(), readback.get(), 1, &region);
        CommandSlot::barrierToHost(recorder.command());
    });
    readback.invalidate();
    std::memcpy(values.data(), readback.mapped().data(), floats * 4);
    return values;
}

void ComputeSession::run(const std::function<void(OpRecorder&)>& record) {
    slot_.begin();
    CommandSlot::barrier(slot_.command());
    OpRecorder recorder(kernels_, slot_.command());
    record(recorder);
    slot_.submit();
    slot_.wait();
}

} // namespace bitlens

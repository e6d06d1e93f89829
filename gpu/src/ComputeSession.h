// SPDX-License-Identifier: MIT
#pragma once

#include "CommandSlot.h"
#include "GpuBuffer.h"
#include "KernelLibrary.h"
#include "OpRecorder.h"
#include "VulkanContext.h"

#include <functional>
#include <memory>
#include <span>
#include <vector>

namespace bitlens {

// A context's compute pipelines and one command slot, for running forward-pass operators
// synchronously: upload weights, record operators, read results back. One thread at a time.
class ComputeSession {
public:
    explicit ComputeSession(std::shared_ptr<VulkanContext> context);
    // Throws NoVulkanDevice when there is no usable device.
    static std::shared_ptr<ComputeSession> create(const VulkanContextOptions& options = {});

    const std::shared_ptr<VulkanContext>& context() const { return context_; }
    KernelLibrary& kernels() { return kernels_; }

    // A device-local buffer of `floats` floats (contents undefined).
    GpuBuffer deviceBuffer(uint64_t floats);
    // A device-local copy of `values`; returns when the copy is done.
    GpuBuffer upload(std::span<const float> values);
    // The first `floats` floats of a device-local buffer; returns when they are read.
    std::vector<float> download(const GpuBuffer& buffer, uint64_t floats);

    // Begins the slot's command buffer, lets `record` fill it (a barrier comes first, so earlier
    // submissions' writes are visible), submits it and waits for it.
    void run(const std::function<void(OpRecorder&)>& record);

private:
    std::shared_ptr<VulkanContext> context_;
    KernelLibrary kernels_;
    CommandSlot slot_;
};

} // namespace bitlens

// SPDX-License-Identifier: MIT
#pragma once

#include "ComputeKernel.h"
#include "VulkanContext.h"
#include "VulkanHandle.h"

#include <cstddef>
#include <memory>
#include <optional>
#include <span>

namespace bitlens {

// A storage buffer over host memory the caller owns (VK_EXT_external_memory_host), so that
// shaders (unified memory) or transfers (a discrete GPU) read or write those bytes in place
// instead of through staging copies. The imported
// range is the bytes widened to whole import-alignment units; the caller keeps the bytes alive and
// untouched by the host until the device work that uses the view has finished. Move-only; keeps
// the context alive.
class HostMemoryView {
public:
    // A view of `bytes`, or nothing where the context cannot import host memory or the driver
    // refuses these pages (the caller then copies through staging buffers).
    static std::optional<HostMemoryView> import(std::shared_ptr<VulkanContext> context,
                                                std::span<const std::byte> bytes);

    // Bytes first .. first + count - 1 of the viewed span as a binding, or nothing where their
    // offset in the buffer is not a multiple of minStorageBufferOffsetAlignment (nor, where the
    // context reads input through uniform windows, of minUniformBufferOffsetAlignment).
    std::optional<BufferRange> range(VkDeviceSize first, VkDeviceSize count) const;
    // The same bytes as a transfer's source or destination, which needs no alignment.
    BufferRange transferRange(VkDeviceSize first, VkDeviceSize count) const;

private:
    HostMemoryView() = default;

    std::shared_ptr<VulkanContext> context_; // members are destroyed bottom-up: buffer first
    VulkanHandle<VkDeviceMemory> memory_;
    VulkanHandle<VkBuffer> buffer_;
    VkDeviceSize spanOffset_ = 0; // where the span starts in the buffer
};

} // namespace bitlens

// SPDX-License-Identifier: MIT
#pragma once

#include "VulkanContext.h"
#include "VulkanHandle.h"

#include <cstddef>
#include <memory>
#include <span>
#include <utility>

namespace bitlens {

// A storage buffer with its own memory. Device-local buffers are what shaders read and write;
// host-visible buffers are staging areas, persistently mapped. Move-only; keeps the context alive.
class GpuBuffer {
public:
    enum class Kind {
        DeviceLocal, // fastest for shaders; filled and drained with copies
        Upload,      // host-visible, written by the CPU
        Readback,    // host-visible (cached when possible), read by the CPU
    };

    GpuBuffer() = default;
    GpuBuffer(std::shared_ptr<VulkanContext> context, VkDeviceSize bytes, Kind kind);
    GpuBuffer(GpuBuffer&& other) noexcept { *this = std::move(other); }
    GpuBuffer& operator=(GpuBuffer&&) noexcept;
    ~GpuBuffer();

    VkBuffer get() const { return buffer_.get(); }
    VkDeviceSize size() const { return bytes_; }
    // The mapped bytes of a host-visible buffer; empty for device-local ones.
    std::span<std::byte> mapped() const { return {mapped_, mapped_ ? size_t(bytes_) : 0}; }
    // Makes CPU writes visible to the device (upload) or device writes visible to the CPU
    // (readback) when the memory is not host-coherent. No-op otherwise.
    void flush() const;
    void invalidate() const;

private:
    void release();

    std::shared_ptr<VulkanContext> context_;
    VulkanHandle<VkBuffer> buffer_;
    VulkanHandle<VkDeviceMemory> memory_;
    VkDeviceSize bytes_ = 0;
    std::byte* mapped_ = nullptr;
    bool coherent_ = true;
};

} // namespace bitlens

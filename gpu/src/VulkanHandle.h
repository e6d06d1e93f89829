// SPDX-License-Identifier: MIT
#pragma once

#include <utility>
#include <vulkan/vulkan.h>

namespace bitlens {

// Move-only owner of one object created from a VkDevice (buffer, memory, layouts, pools,
// pipelines, fences, shader modules). Destroys it with the matching vkDestroy*/vkFree* call.
// Contract: the VkDevice outlives the handle (owners keep the VulkanContext alive).
template <typename Handle> class VulkanHandle {
public:
    using Destroy = void (*)(VkDevice, Handle, const VkAllocationCallbacks*);

    VulkanHandle() = default;
    VulkanHandle(VkDevice device, Handle handle, Destroy destroy)
        : device_(device), handle_(handle), destroy_(destroy) {}
    VulkanHandle(const VulkanHandle&) = delete;
    VulkanHandle& operator=(const VulkanHandle&) = delete;
    VulkanHandle(VulkanHandle&& other) noexcept
        : device_(other.device_), handle_(std::exchange(other.handle_, VK_NULL_HANDLE)),
          destroy_(other.destroy_) {}
    VulkanHandle& operator=(VulkanHandle&& other) noexcept {
        if (this != &other) {
            reset();
            device_ = other.device_;
            handle_ = std::exchange(other.handle_, VK_NULL_HANDLE);
            destroy_ = other.destroy_;
        }
        return *this;
    }
    ~VulkanHandle() { reset(); }

    Handle get() const { return handle_; }
    explicit operator bool() const { return handle_ != VK_NULL_HANDLE; }

    void reset() {
        if (handle_ != VK_NULL_HANDLE)
            destroy_(device_, std::exchange(handle_, VK_NULL_HANDLE), nullptr);
    }

private:
    VkDevice device_ = VK_NULL_HANDLE;
    Handle handle_ = VK_NULL_HANDLE;
    Destroy destroy_ = nullptr;
};

} // namespace bitlens

// SPDX-License-Identifier: MIT
#pragma once

#include <atomic>
#include <cstdint>
#include <vector>
#include <vulkan/vulkan.h>

namespace bitlens {

// True when validation layers were asked for: built with BITLENS_VULKAN_VALIDATION (dev preset)
// or BITLENS_VULKAN_VALIDATION=1 in the environment.
bool vulkanValidationRequested();

// The Vulkan instance, with the Khronos validation layer and a debug messenger when requested
// and installed. The messenger prints every warning and error to stderr and counts them.
// Not copyable or movable: contexts share it through shared_ptr.
class VulkanInstance {
public:
    // Throws NoVulkanDevice when no Vulkan loader/driver can create an instance.
    explicit VulkanInstance(bool validation);
    ~VulkanInstance();
    VulkanInstance(const VulkanInstance&) = delete;
    VulkanInstance& operator=(const VulkanInstance&) = delete;

    VkInstance get() const { return instance_; }
    bool validationEnabled() const { return messenger_ != VK_NULL_HANDLE; }
    // Validation warnings and errors reported so far (0 when validation is off).
    uint64_t validationMessages() const { return messages_.load(); }

    std::vector<VkPhysicalDevice> physicalDevices() const;

private:
    VkInstance instance_ = VK_NULL_HANDLE;
    VkDebugUtilsMessengerEXT messenger_ = VK_NULL_HANDLE;
    std::atomic<uint64_t> messages_{0};
};

} // namespace bitlens

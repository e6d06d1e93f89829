// SPDX-License-Identifier: MIT
#include "VulkanContext.h"

#include "NoVulkanDevice.h"
#include "VulkanError.h"
#include "core/util/Error.h"

#include <cstdlib>
#include <string>
#include <vector>

namespace bitlens {

std::shared_ptr<VulkanContext> VulkanContext::create(const VulkanContextOptions& options) {
    auto instance =
        std::make_shared<VulkanInstance>(options.validation || vulkanValidationRequested());
    std::vector<DeviceDescription> devices = describeDevices(*instance);
    const size_t chosen = chooseDevice(devices, deviceSelector(options.device));
    return std::shared_ptr<VulkanContext>(
        new VulkanContext(std::move(instance), std::move(devices[chosen]), options));
}

std::optional<bool> environmentSwitch(const char* name) {
    const char* environment = std::getenv(name);
    if (!environment || !*environment)
        return std::nullopt;
    const std::string value = environment;
    if (value != "0" && value != "1")
        throw Error(std::string(name) + " is '" + value + "': it must be 0 or 1");
    return value == "1";
}

bool heldSubnormalsChosen(const VulkanContextOptions& options, const DeviceDescription& device) {
    if (options.heldSubnormals)
        return *options.heldSubnormals;
    return environmentSwitch("BITLENS_HELD_SUBNORMALS").value_or(device.mayFlushSubnormals());
}

VulkanContext::VulkanContext(std::shared_ptr<VulkanInstance> instance,
                             DeviceDescription description, const VulkanContextOptions& options)
    : instance_(std::move(instance)), description_(std::move(description)),
      float64_(options.float64.value_or(environmentSwitch("BITLENS_FLOAT64").value_or(true)) &&
               description_.doubleDivision()),
      heldSubnormals_(float64_ && heldSubnormalsChosen(options, description_)),
      uniformInput_(options.uniformInput && description_.uniformInput()),
      laneKernels_(
          options.laneKernels.value_or(environmentSwitch("BITLENS_LANE_KERNELS").value_or(true)) &&
          !uniformInput_),
      stagedTransfers_(options.stagedTransfers) {
    vkGetPhysicalDeviceMemoryProperties(description_.handle, &memory_);

    uint32_t familyCount = 0;
    vkGetPhysicalDeviceQueueFamilyProperties(description_.handle, &familyCount, nullptr);
    std::vector<VkQueueFamilyProperties> families(familyCount);
    vkGetPhysicalDeviceQueueFamilyProperties(description_.handle, &familyCount, families.data());
    // A compute queue; a compute-only family first (often a separate async engine).
    uint32_t chosen = familyCount;
    for (uint32_t family = 0; family < familyCount; ++family) {
        if (!(families[family].queueFlags & VK_QUEUE_COMPUTE_BIT))
            continue;
        if (chosen == familyCount || !(families[family].queueFlags & VK_QUEUE_GRAPHICS_BIT))
            chosen = family;
    }
    if (chosen == familyCount)
        throw NoVulkanDevice(description_.name + " has no compute queue");
    queueFamily_ = chosen;
    if (families[chosen].timestampValidBits > 0) {
        VkPhysicalDeviceProperties properties;
        vkGetPhysicalDeviceProperties(description_.handle, &properties);
        timestampPeriod_ = properties.limits.timestampPeriod;
    }

    const float priority = 1.0f;
    VkDeviceQueueCreateInfo queueInfo{VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO};
    queueInfo.queueFamilyIndex = queueFamily_;
    queueInfo.queueCount = 1;
    queueInfo.pQueuePriorities = &priority;

    VkPhysicalDeviceVulkan12Features features12{
        VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES};
    features12.storageBuffer8BitAccess = VK_TRUE;
    features12.shaderInt8 = VK_TRUE;
    VkPhysicalDeviceVulkan11Features features11{
        VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES};
    features11.storageBuffer16BitAccess = VK_TRUE;
    features11.pNext = &features12;
    VkPhysicalDeviceFeatures2 features{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2};
    features.features.shaderInt16 = VK_TRUE;
    features.features.shaderInt64 = VK_TRUE;
    features.features.shaderFloat64 = float64_ ? VK_TRUE : VK_FALSE;
    features.pNext = &features11;

    VkDeviceCreateInfo info{VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO};
    info.pNext = &features;
    info.queueCreateInfoCount = 1;
    info.pQueueCreateInfos = &queueInfo;
    std::vector<const char*> extensions = {VK_KHR_PUSH_DESCRIPTOR_EXTENSION_NAME};
    const bool hostImport =
        options.hostImport.value_or(environmentSwitch("BITLENS_HOST_IMPORT").value_or(true)) &&
        description_.hostMemoryImport;
    if (hostImport)
        extensions.push_back(VK_EXT_EXTERNAL_MEMORY_HOST_EXTENSION_NAME);
    info.enabledExtensionCount = uint32_t(extensions.size());
    info.ppEnabledExtensionNames = extensions.data();
    BITLENS_VK_CHECK(vkCreateDevice(description_.handle, &info, nullptr, &device_));
    vkGetDeviceQueue(device_, queueFamily_, 0, &queue_);
    pushDescriptorSet_ = reinterpret_cast<PFN_vkCmdPushDescriptorSetKHR>(
        vkGetDeviceProcAddr(device_, "vkCmdPushDescriptorSetKHR"));
    if (!pushDescriptorSet_) {
        vkDestroyDevice(device_, nullptr);
        throw NoVulkanDevice(description_.name + ": vkCmdPushDescriptorSetKHR is missing");
    }
    if (hostImport) {
        memoryHostPointerProperties_ = reinterpret_cast<PFN_vkGetMemoryHostPointerPropertiesEXT>(
            vkGetDeviceProcAddr(device_, "vkGetMemoryHostPointerPropertiesEXT"));
        VkPhysicalDeviceExternalMemoryHostPropertiesEXT hostProperties{
            VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_EXTERNAL_MEMORY_HOST_PROPERTIES_EXT};
        VkPhysicalDeviceProperties2 properties{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2};
        properties.pNext = &hostProperties;
        vkGetPhysicalDeviceProperties2(description_.handle, &properties);
        if (memoryHostPointerProperties_)
            hostImportAlignment_ = hostProperties.minImportedHostPointerAlignment;
    }
}

VulkanContext::~VulkanContext() {
    vkDeviceWaitIdle(device_);
    vkDestroyDevice(device_, nullptr);
}

uint32_t VulkanContext::memoryType(uint32_t typeBits, VkMemoryPropertyFlags required,
                                   VkMemoryPropertyFlags preferred) const {
    uint32_t fallback = memory_.memoryTypeCount;
    for (uint32_t type = 0; type < memory_.memoryTypeCount; ++type) {
        const VkMemoryPropertyFlags flags = memory_.memoryTypes[type].propertyFlags;
        if (!(typeBits & (1u << type)) || (flags & required) != required)
            continue;
        if ((flags & preferred) == preferred)
            return type;
        if (fallback == memory_.memoryTypeCount)
            fallback = type;
    }
    if (fallback == memory_.memoryTypeCount)
        throw Error(description_.name + " has no memory type with the required properties");
    return fallback;
}

bool VulkanContext::unifiedMemory() const {
    if (stagedTransfers_)
        return false;
    bool anyDeviceLocal = false;
    for (uint32_t type = 0; type < memory_.memoryTypeCount; ++type) {
        const VkMemoryPropertyFlags flags = memory_.memoryTypes[type].propertyFlags;
        if (!(flags & VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT))
            continue;
        if (!(flags & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT))
            return false;
        anyDeviceLocal = true;
    }
    return anyDeviceLocal;
}

VkMemoryPropertyFlags VulkanContext::memoryTypeFlags(uint32_t type) const {
    return memory_.memoryTypes[type].propertyFlags;
}

} // namespace bitlens

// SPDX-License-Identifier: MIT
#include "DeviceCatalog.h"

#include "InputWindows.h"
#include "NoVulkanDevice.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>

namespace bitlens {

bool hasDeviceExtension(VkPhysicalDevice device, const char* name) {
    uint32_t extensionCount = 0;
    vkEnumerateDeviceExtensionProperties(device, nullptr, &extensionCount, nullptr);
    std::vector<VkExtensionProperties> extensions(extensionCount);
    vkEnumerateDeviceExtensionProperties(device, nullptr, &extensionCount, extensions.data());
    return std::any_of(
        extensions.begin(), extensions.end(),
        [name](const VkExtensionProperties& e) { return std::strcmp(e.extensionName, name) == 0; });
}

namespace {

std::string missingFeatures(VkPhysicalDevice device, uint32_t apiVersion) {
    if (apiVersion < VK_API_VERSION_1_2)
        return "Vulkan 1.2";
    VkPhysicalDeviceVulkan12Features features12{
        VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES};
    VkPhysicalDeviceVulkan11Features features11{
        VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES};
    features11.pNext = &features12;
    VkPhysicalDeviceFeatures2 features{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2};
    features.pNext = &features11;
    vkGetPhysicalDeviceFeatures2(device, &features);

    VkPhysicalDeviceSubgroupProperties subgroup{
        VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES};
    VkPhysicalDeviceProperties2 properties{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2};
    properties.pNext = &subgroup;
    vkGetPhysicalDeviceProperties2(device, &properties);

    const bool pushDescriptors = hasDeviceExtension(device, VK_KHR_PUSH_DESCRIPTOR_EXTENSION_NAME);

    std::string missing;
    auto need = [&missing](bool present, const char* name) {
        if (!present)
            missing += (missing.empty() ? "" : ", ") + std::string(name);
    };
    need(features11.storageBuffer16BitAccess, "storageBuffer16BitAccess");
    need(features12.storageBuffer8BitAccess, "storageBuffer8BitAccess");
    need(features.features.shaderInt16, "shaderInt16");
    need(features.features.shaderInt64, "shaderInt64");
    need(features12.shaderInt8, "shaderInt8");
    need(subgroup.supportedStages & VK_SHADER_STAGE_COMPUTE_BIT, "subgroups in compute shaders");
    need(subgroup.supportedOperations & VK_SUBGROUP_FEATURE_ARITHMETIC_BIT, "subgroup arithmetic");
    need(subgroup.supportedOperations & VK_SUBGROUP_FEATURE_SHUFFLE_BIT, "subgroup shuffles");
    need(subgroup.subgroupSize >= 8, "subgroups of 8 or more invocations");
    need(pushDescriptors, VK_KHR_PUSH_DESCRIPTOR_EXTENSION_NAME);
    return missing;
}

int typePreference(VkPhysicalDeviceType type) {
    switch (type) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU:
        return 0;
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU:
        return 1;
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU:
        return 2;
    case VK_PHYSICAL_DEVICE_TYPE_CPU:
        return 3;
    default:
        return 4;
    }
}

std::string lower(std::string_view text) {
    std::string result(text);
    for (char& c : result)
        c = char(std::tolower(static_cast<unsigned char>(c)));
    return result;
}

} // namespace

std::string_view deviceTypeName(VkPhysicalDeviceType type) {
    switch (type) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU:
        return "discrete GPU";
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU:
        return "integrated GPU";
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU:
        return "virtual GPU";
    case VK_PHYSICAL_DEVICE_TYPE_CPU:
        return "CPU";
    default:
        return "other";
    }
}

std::string vulkanVersionText(uint32_t version) {
    return std::to_string(VK_API_VERSION_MAJOR(version)) + "." +
           std::to_string(VK_API_VERSION_MINOR(version)) + "." +
           std::to_string(VK_API_VERSION_PATCH(version));
}

bool DeviceDescription::uniformInput() const {
    return type == VK_PHYSICAL_DEVICE_TYPE_CPU && maxUniformBufferRange >= kInputWindowBytes &&
           maxPerStageDescriptorUniformBuffers >= kInputWindowCount;
}

std::vector<DeviceDescription> describeDevices(const VulkanInstance& instance) {
    std::vector<DeviceDescription> result;
    const std::vector<VkPhysicalDevice> devices = instance.physicalDevices();
    for (uint32_t index = 0; index < devices.size(); ++index) {
        VkPhysicalDeviceDriverProperties driver{
            VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRIVER_PROPERTIES};
        VkPhysicalDeviceSubgroupProperties subgroup{
            VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES};
        subgroup.pNext = &driver;
        VkPhysicalDeviceFloatControlsProperties floatControls{
            VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FLOAT_CONTROLS_PROPERTIES};
        driver.pNext = &floatControls;
        VkPhysicalDeviceProperties2 properties{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2};
        properties.pNext = &subgroup;
        vkGetPhysicalDeviceProperties2(devices[index], &properties);
        VkPhysicalDeviceMemoryProperties memory;
        vkGetPhysicalDeviceMemoryProperties(devices[index], &memory);

        DeviceDescription description;
        description.index = index;
        description.handle = devices[index];
        description.name = properties.properties.deviceName;
        description.type = properties.properties.deviceType;
        description.driverName = driver.driverName;
        description.driverInfo = driver.driverInfo;
        description.apiVersion = properties.properties.apiVersion;
        description.vendorId = properties.properties.vendorID;
        description.deviceId = properties.properties.deviceID;
        for (uint32_t heap = 0; heap < memory.memoryHeapCount; ++heap)
            if (memory.memoryHeaps[heap].flags & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT)
                description.deviceLocalBytes += memory.memoryHeaps[heap].size;
        description.maxStorageBufferRange = properties.properties.limits.maxStorageBufferRange;
        description.minStorageBufferOffsetAlignment =
            properties.properties.limits.minStorageBufferOffsetAlignment;
        description.maxUniformBufferRange = properties.properties.limits.maxUniformBufferRange;
        description.minUniformBufferOffsetAlignment =
            properties.properties.limits.minUniformBufferOffsetAlignment;
        description.maxPerStageDescriptorUniformBuffers =
            properties.properties.limits.maxPerStageDescriptorUniformBuffers;
        description.subgroupSize = subgroup.subgroupSize;
        std::copy(std::begin(properties.properties.pipelineCacheUUID),
                  std::end(properties.properties.pipelineCacheUUID),
                  description.pipelineCacheUuid.begin());
        VkPhysicalDeviceFeatures features;
        vkGetPhysicalDeviceFeatures(devices[index], &features);
        description.shaderFloat64 = features.shaderFloat64 == VK_TRUE;
        description.roundToEvenFloat32 = floatControls.shaderRoundingModeRTEFloat32 == VK_TRUE;
        description.signedZerosFloat32 =
            floatControls.shaderSignedZeroInfNanPreserveFloat32 == VK_TRUE;
        description.signedZerosFloat64 =
            floatControls.shaderSignedZeroInfNanPreserveFloat64 == VK_TRUE;
        description.denormPreserveFloat32 = floatControls.shaderDenormPreserveFloat32 == VK_TRUE;
        description.hostMemoryImport =
            hasDeviceExtension(devices[index], VK_EXT_EXTERNAL_MEMORY_HOST_EXTENSION_NAME);
        description.missingFeatures = missingFeatures(devices[index], description.apiVersion);
        result.push_back(std::move(description));
    }
    return result;
}

std::string deviceSelector(std::string_view option) {
    if (!option.empty())
        return std::string(option);
    const char* environment = std::getenv("BITLENS_DEVICE");
    return environment ? std::string(environment) : std::string();
}

size_t chooseDevice(const std::vector<DeviceDescription>& devices, std::string_view selector) {
    if (devices.empty())
        throw NoVulkanDevice("the Vulkan driver reports no physical device");
    auto usable = [&](size_t index) {
        if (!devices[index].missingFeatures.empty())
            throw NoVulkanDevice("device " + std::to_string(index) + " (" + devices[index].name +
                                 ") lacks " + devices[index].missingFeatures);
        return index;
    };
    if (selector.empty()) {
        size_t best = devices.size();
        for (size_t index = 0; index < devices.size(); ++index) {
            if (!devices[index].missingFeatures.empty())
                continue;
            if (best == devices.size() ||
                typePreference(devices[index].type) < typePreference(devices[best].type))
                best = index;
        }
        if (best == devices.size())
            return usable(0); // throws, naming what the first device lacks
        return best;
    }
    if (std::all_of(selector.begin(), selector.end(),
                    [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
        const unsigned long index = std::strtoul(std::string(selector).c_str(), nullptr, 10);
        if (selector.size() > 9 || index >= devices.size())
            throw NoVulkanDevice("device index " + std::string(selector) + " out of range (" +
                                 std::to_string(devices.size()) + " devices)");
        return usable(index);
    }
    const std::string needle = lower(selector);
    for (size_t index = 0; index < devices.size(); ++index)
        if (lower(devices[index].name).find(needle) != std::string::npos)
            return usable(index);
    throw NoVulkanDevice("no device name contains '" + std::string(selector) + "'");
}

} // namespace bitlens

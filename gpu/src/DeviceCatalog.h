// SPDX-License-Identifier: MIT
#pragma once

#include "VulkanInstance.h"

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace bitlens {

// What `bitlens-cli devices` shows about one physical device, and whether BitLens can use it.
struct DeviceDescription {
    uint32_t index = 0; // position in vkEnumeratePhysicalDevices order
    VkPhysicalDevice handle = VK_NULL_HANDLE;
    std::string name;
    VkPhysicalDeviceType type = VK_PHYSICAL_DEVICE_TYPE_OTHER;
    std::string driverName;
    std::string driverInfo;
    uint32_t apiVersion = 0;
    uint32_t vendorId = 0;
    uint32_t deviceId = 0;
    uint64_t deviceLocalBytes = 0; // sum of the device-local heaps
    uint64_t maxStorageBufferRange = 0;
    uint64_t minStorageBufferOffsetAlignment = 0;
    uint64_t maxUniformBufferRange = 0;
    uint64_t minUniformBufferOffsetAlignment = 0;
    uint32_t maxPerStageDescriptorUniformBuffers = 0;
    uint32_t subgroupSize = 0;
    bool shaderFloat64 = false;
    bool roundToEvenFloat32 = false;    // shaderRoundingModeRTEFloat32
    bool signedZerosFloat32 = false;    // shaderSignedZeroInfNanPreserveFloat32
    bool signedZerosFloat64 = false;    // shaderSignedZeroInfNanPreserveFloat64
    bool denormPreserveFloat32 = false; // shaderDenormPreserveFloat32
    bool hostMemoryImport = false;      // VK_EXT_external_memory_host
    std::array<uint8_t, VK_UUID_SIZE> pipelineCacheUuid{};
    std::string missingFeatures; // empty when usable: "storageBuffer8BitAccess, shaderInt8"

    // The quantizers can divide exactly through doubles (their "_f64" kernels, common.glsl).
    bool doubleDivision() const {
        return shaderFloat64 && roundToEvenFloat32 && signedZerosFloat32 && signedZerosFloat64;
    }
    // The device may flush float32 subnormals: a GPU that cannot be asked to keep them (an
    // NVIDIA H200 flushes them). CPU devices keep them, as the host's floats do.
    bool mayFlushSubnormals() const {
        return type != VK_PHYSICAL_DEVICE_TYPE_CPU && !denormPreserveFloat32;
    }
    // Kernels read their input through uniform-buffer windows (input_windows.glsl): a CPU device
    // (lavapipe, whose storage-buffer loads cost a loop over the lanes) whose limits fit them.
    bool uniformInput() const;
};

std::string_view deviceTypeName(VkPhysicalDeviceType type);
bool hasDeviceExtension(VkPhysicalDevice device, const char* name);
std::string vulkanVersionText(uint32_t version); // "1.3.230"

// Every physical device the instance sees, in enumeration order.
std::vector<DeviceDescription> describeDevices(const VulkanInstance& instance);

// The selector from an explicit option, else $BITLENS_DEVICE, else empty.
std::string deviceSelector(std::string_view option);

// Index into devices of the device to use. An empty selector prefers a usable discrete GPU, then
// integrated, then virtual, then CPU (lavapipe); a selector of digits picks that index, otherwise
// the first device whose name contains it (case-insensitive). Throws NoVulkanDevice when there is
// none, the selector matches none, or the chosen device lacks features (naming them).
size_t chooseDevice(const std::vector<DeviceDescription>& devices, std::string_view selector);

} // namespace bitlens

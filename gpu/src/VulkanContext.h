// SPDX-License-Identifier: MIT
#pragma once

#include "DeviceCatalog.h"
#include "VulkanInstance.h"

#include <memory>
#include <optional>
#include <string>

namespace bitlens {

struct VulkanContextOptions {
    std::string device;      // index or name substring; empty: $BITLENS_DEVICE, then by type
    bool validation = false; // also on when vulkanValidationRequested()
    // Run the quantizers' "_f64" kernels, which divide through doubles, where the device can
    // (DeviceDescription::doubleDivision); false keeps the float-only kernels, which every device
    // runs. Empty: as $BITLENS_FLOAT64 says (0 or 1, for benchmarks), else true.
    std::optional<bool> float64;
    // Run the "_f64_held" kernels (common.glsl, HeldFloat: the scale searches keep subnormal
    // values in doubles) with the "_f64" ones: true or false to choose; empty: as
    // $BITLENS_HELD_SUBNORMALS says (0 or 1, for benchmarks), else where the device may flush
    // float32 subnormals (DeviceDescription::mayFlushSubnormals). Exact on every device, but
    // slower.
    std::optional<bool> heldSubnormals;
    // Let kernels read their input through uniform-buffer windows (input_windows.glsl) where
    // VulkanContext::uniformInput() allows; false keeps the storage-buffer loads GPUs use.
    bool uniformInput = true;
    // Move data as on a GPU with its own memory even where memory is unified (lavapipe):
    // device-local buffers filled and read back by transfers. Tests run that path on lavapipe.
    bool stagedTransfers = false;
    // Let the device use host memory in place (VK_EXT_external_memory_host, where it has it):
    // kernels read and write it on unified memory, transfers do on a discrete GPU, instead of
    // host copies through staging buffers. Empty: as $BITLENS_HOST_IMPORT says (0 or 1, for
    // benchmarks), else true.
    std::optional<bool> hostImport;
    // Run the block kernels' "_lanes" variants (eight invocations per block or group, whose loads
    // and stores cover consecutive bytes) where a format kernel has one: true or false to choose;
    // empty: as $BITLENS_LANE_KERNELS says (0 or 1, for benchmarks), else where kernels read
    // storage buffers rather than input windows (GPUs).
    std::optional<bool> laneKernels;
};

// The value of the environment variable `name` when it is "0" or "1"; empty when it is unset or
// empty. Throws Error naming it for any other value.
std::optional<bool> environmentSwitch(const char* name);

// Whether a context with these options runs the "_f64_held" kernels on `device` (given that it
// runs the "_f64" ones). Throws Error when $BITLENS_HELD_SUBNORMALS is set to anything but 0 or 1.
bool heldSubnormalsChosen(const VulkanContextOptions& options, const DeviceDescription& device);

// The chosen physical device, its logical device and one compute queue. Always held by
// shared_ptr: every buffer, pipeline and command pool keeps its context alive, so the device is
// destroyed last. Not copyable or movable.
class VulkanContext {
public:
    // Throws NoVulkanDevice when no usable device exists (see chooseDevice).
    static std::shared_ptr<VulkanContext> create(const VulkanContextOptions& options = {});
    ~VulkanContext();
    VulkanContext(const VulkanContext&) = delete;
    VulkanContext& operator=(const VulkanContext&) = delete;

    VkDevice device() const { return device_; }
    VkPhysicalDevice physicalDevice() const { return description_.handle; }
    VkQueue queue() const { return queue_; }
    uint32_t queueFamily() const { return queueFamily_; }
    const DeviceDescription& description() const { return description_; }
    const VulkanInstance& instance() const { return *instance_; }
    // VK_KHR_push_descriptor's command (enabled on every context).
    PFN_vkCmdPushDescriptorSetKHR pushDescriptorSet() const { return pushDescriptorSet_; }

    // Index of a memory type allowed by typeBits with all of `required`, preferring one that
    // also has `preferred`. Throws Error when none has `required`.
    uint32_t memoryType(uint32_t typeBits, VkMemoryPropertyFlags required,
                        VkMemoryPropertyFlags preferred = 0) const;
    VkMemoryPropertyFlags memoryTypeFlags(uint32_t type) const;
    // Nanoseconds per timestamp tick of the compute queue; 0 when it has no timestamps.
    float timestampPeriod() const { return timestampPeriod_; }
    // True when every device-local memory type is also host-visible (CPU and integrated GPUs) and
    // the options did not ask for staged transfers.
    bool unifiedMemory() const;
    // True when the "_f64" kernels run: the device can divide through doubles, the options
    // allowed it, and shaderFloat64 is enabled.
    bool float64() const { return float64_; }
    // True when the "_f64_held" kernels run where they exist (float64() and the options'
    // heldSubnormals).
    bool heldSubnormals() const { return heldSubnormals_; }
    // True when kernels with input windows read through them (DeviceDescription::uniformInput,
    // where the options allow it). Their inputs' offsets are then also multiples of
    // minUniformBufferOffsetAlignment.
    bool uniformInput() const { return uniformInput_; }
    // True when format kernels run their "_lanes" variants where they have one
    // (FormatKernel::hasLaneVariant); never together with uniformInput().
    bool laneKernels() const { return laneKernels_; }
    // minImportedHostPointerAlignment where VK_EXT_external_memory_host is enabled (on devices
    // that have it, where the options' hostImport allows); 0 otherwise. With it,
    // vkGetMemoryHostPointerPropertiesEXT.
    VkDeviceSize hostImportAlignment() const { return hostImportAlignment_; }
    PFN_vkGetMemoryHostPointerPropertiesEXT memoryHostPointerProperties() const {
        return memoryHostPointerProperties_;
    }

private:
    VulkanContext(std::shared_ptr<VulkanInstance> instance, DeviceDescription description,
                  const VulkanContextOptions& options);

    std::shared_ptr<VulkanInstance> instance_;
    DeviceDescription description_;
    VkPhysicalDeviceMemoryProperties memory_{};
    VkDevice device_ = VK_NULL_HANDLE;
    VkQueue queue_ = VK_NULL_HANDLE;
    uint32_t queueFamily_ = 0;
    PFN_vkCmdPushDescriptorSetKHR pushDescriptorSet_ = nullptr;
    float timestampPeriod_ = 0;
    bool float64_ = false;
    bool heldSubnormals_ = false;
    bool uniformInput_ = false;
    bool laneKernels_ = false;
    bool stagedTransfers_ = false;
    VkDeviceSize hostImportAlignment_ = 0;
    PFN_vkGetMemoryHostPointerPropertiesEXT memoryHostPointerProperties_ = nullptr;
};

} // namespace bitlens

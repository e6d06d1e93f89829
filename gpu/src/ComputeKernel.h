// SPDX-License-Identifier: MIT
#pragma once

#include "VulkanContext.h"
#include "VulkanHandle.h"

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace bitlens {

// A byte range of a buffer bound to one storage-buffer binding.
struct BufferRange {
    VkBuffer buffer = VK_NULL_HANDLE;
    VkDeviceSize offset = 0;
    VkDeviceSize size = VK_WHOLE_SIZE;
};

// One compute pipeline: a shader variant from SpirvRegistry, bindings 0..bindings-1 of set 0 as
// storage buffers (pushed with VK_KHR_push_descriptor, so recording needs no descriptor pool),
// a push-constant block, and uint32 specialization constants with constant_id 0, 1, ...
// Shaders that include input_windows.glsl always get its windows bound; they read through them
// where inputOctetsPerWorkgroup (the float octets each workgroup reads, a divisor of
// kInputWindowOctets, or kEveryWorkgroupReadsAllInput) is not 0 and
// VulkanContext::uniformInput().
// Move-only; keeps the context alive.
class ComputeKernel {
public:
    ComputeKernel(std::shared_ptr<VulkanContext> context, VkPipelineCache cache,
                  const std::string& shader, uint32_t bindings, uint32_t pushConstantBytes,
                  std::span<const uint32_t> specialization = {},
                  uint64_t inputOctetsPerWorkgroup = 0);

    const std::string& shader() const { return shader_; }

    // Records binding of the buffers and a dispatch of `groups` workgroups into command. Large
    // counts are split over y (the shader's linear workgroup index is
    // gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x, and must be checked against the
    // real count because the last row of the grid may overshoot). With input windows declared,
    // buffers[0] must carry its size, and where the kernel reads through them the dispatch is split
    // into one per kInputWindowCount windows, each offset with vkCmdDispatchBase (the shader's
    // linear workgroup index stays that of the whole dispatch); with kEveryWorkgroupReadsAllInput
    // the windows cover buffers[0] from its start for the one dispatch.
    void record(VkCommandBuffer command, std::span<const BufferRange> buffers,
                std::span<const std::byte> pushConstants, uint64_t groups) const;

private:
    std::shared_ptr<VulkanContext> context_;
    std::string shader_;
    uint32_t bindings_;
    uint32_t pushConstantBytes_;
    uint64_t inputOctetsPerWorkgroup_;
    bool declaresWindows_ = false;
    VulkanHandle<VkDescriptorSetLayout> setLayout_;
    VulkanHandle<VkPipelineLayout> layout_;
    VulkanHandle<VkPipeline> pipeline_;
};

} // namespace bitlens

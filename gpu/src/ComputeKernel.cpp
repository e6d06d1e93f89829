// SPDX-License-Identifier: MIT
#include "ComputeKernel.h"

#include "InputWindows.h"
#include "SpirvRegistry.h"
#include "StrictFloatSpirv.h"
#include "VulkanError.h"
#include "core/util/Error.h"

#include <algorithm>

namespace bitlens {

ComputeKernel::ComputeKernel(std::shared_ptr<VulkanContext> context, VkPipelineCache cache,
                             const std::string& shader, uint32_t bindings,
                             uint32_t pushConstantBytes, std::span<const uint32_t> specialization,
                             uint64_t inputOctetsPerWorkgroup)
    : context_(std::move(context)), shader_(shader), bindings_(bindings),
      pushConstantBytes_(pushConstantBytes), inputOctetsPerWorkgroup_(inputOctetsPerWorkgroup) {
    const VkDevice device = context_->device();
    const std::vector<uint32_t> code = strictFloatSpirv(spirvModule(shader), shader);
    declaresWindows_ = declaresInputWindows(spirvInstructions(code, shader));
    if (inputOctetsPerWorkgroup_ != 0 &&
        (!declaresWindows_ || windowedOctets(inputOctetsPerWorkgroup_) == 0))
        throw Error("kernel " + shader + ": no input windows for this workgroup's input");

    std::vector<VkDescriptorSetLayoutBinding> layoutBindings(bindings);
    for (uint32_t binding = 0; binding < bindings; ++binding) {
        layoutBindings[binding].binding = binding;
        layoutBindings[binding].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
        layoutBindings[binding].descriptorCount = 1;
        layoutBindings[binding].stageFlags = VK_SHADER_STAGE_COMPUTE_BIT;
    }
    if (declaresWindows_)
        layoutBindings.push_back({kInputWindowBinding, VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER,
                                  kInputWindowCount, VK_SHADER_STAGE_COMPUTE_BIT, nullptr});
    VkDescriptorSetLayoutCreateInfo setInfo{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO};
    setInfo.flags = VK_DESCRIPTOR_SET_LAYOUT_CREATE_PUSH_DESCRIPTOR_BIT_KHR;
    setInfo.bindingCount = uint32_t(layoutBindings.size());
    setInfo.pBindings = layoutBindings.data();
    VkDescriptorSetLayout setLayout = VK_NULL_HANDLE;
    BITLENS_VK_CHECK(vkCreateDescriptorSetLayout(device, &setInfo, nullptr, &setLayout));
    setLayout_ =
        VulkanHandle<VkDescriptorSetLayout>(device, setLayout, vkDestroyDescriptorSetLayout);

    VkPushConstantRange pushRange{VK_SHADER_STAGE_COMPUTE_BIT, 0, pushConstantBytes};
    VkPipelineLayoutCreateInfo layoutInfo{VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
    layoutInfo.setLayoutCount = 1;
    layoutInfo.pSetLayouts = &setLayout;
    layoutInfo.pushConstantRangeCount = pushConstantBytes ? 1 : 0;
    layoutInfo.pPushConstantRanges = &pushRange;
    VkPipelineLayout layout = VK_NULL_HANDLE;
    BITLENS_VK_CHECK(vkCreatePipelineLayout(device, &layoutInfo, nullptr, &layout));
    layout_ = VulkanHandle<VkPipelineLayout>(device, layout, vkDestroyPipelineLayout);

    VkShaderModuleCreateInfo moduleInfo{VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO};
    moduleInfo.codeSize = code.size() * sizeof(uint32_t);
    moduleInfo.pCode = code.data();
    VkShaderModule module = VK_NULL_HANDLE;
    BITLENS_VK_CHECK(vkCreateShaderModule(device, &moduleInfo, nullptr, &module));
    const VulkanHandle<VkShaderModule> moduleOwner(device, module, vkDestroyShaderModule);

    std::vector<uint32_t> constants(specialization.begin(), specialization.end());
    std::vector<VkSpecializationMapEntry> entries(constants.size());
    for (uint32_t id = 0; id < entries.size(); ++id)
        entries[id] = {id, uint32_t(id * sizeof(uint32_t)), sizeof(uint32_t)};
    if (declaresWindows_) {
        entries.push_back({kInputWindowsConstantId, uint32_t(constants.size() * sizeof(uint32_t)),
                           sizeof(uint32_t)});
        constants.push_back(inputOctetsPerWorkgroup_ != 0 && context_->uniformInput() ? 1 : 0);
    }
    VkSpecializationInfo specializationInfo{uint32_t(entries.size()), entries.data(),
                                            constants.size() * sizeof(uint32_t), constants.data()};

    VkComputePipelineCreateInfo pipelineInfo{VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO};
    pipelineInfo.stage.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO;
    pipelineInfo.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
    pipelineInfo.stage.module = module;
    pipelineInfo.stage.pName = "main";
    pipelineInfo.stage.pSpecializationInfo = entries.empty() ? nullptr : &specializationInfo;
    if (inputOctetsPerWorkgroup_ != 0)
        pipelineInfo.flags = VK_PIPELINE_CREATE_DISPATCH_BASE_BIT;
    pipelineInfo.layout = layout;
    VkPipeline pipeline = VK_NULL_HANDLE;
    BITLENS_VK_CHECK(vkCreateComputePipelines(device, cache, 1, &pipelineInfo, nullptr, &pipeline));
    pipeline_ = VulkanHandle<VkPipeline>(device, pipeline, vkDestroyPipeline);
}

void ComputeKernel::record(VkCommandBuffer command, std::span<const BufferRange> buffers,
                           std::span<const std::byte> pushConstants, uint64_t groups) const {
    if (buffers.size() != bindings_ || pushConstants.size() != pushConstantBytes_)
        throw Error("kernel " + shader_ + ": wrong number of buffers or push-constant bytes");
    if (declaresWindows_ && (buffers[0].size == VK_WHOLE_SIZE || buffers[0].size == 0))
        throw Error("kernel " + shader_ + ": its input windows need the input's size");
    std::vector<VkDescriptorBufferInfo> infos(buffers.size() +
                                              (declaresWindows_ ? kInputWindowCount : 0));
    std::vector<VkWriteDescriptorSet> writes(buffers.size() + (declaresWindows_ ? 1 : 0));
    for (size_t binding = 0; binding < buffers.size(); ++binding) {
        infos[binding] = {buffers[binding].buffer, buffers[binding].offset, buffers[binding].size};
        writes[binding] = {VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET};
        writes[binding].dstBinding = uint32_t(binding);
        writes[binding].descriptorCount = 1;
        writes[binding].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
        writes[binding].pBufferInfo = &infos[binding];
    }
    const bool windowed = inputOctetsPerWorkgroup_ != 0 && context_->uniformInput();
    if (windowed && buffers[0].offset % context_->description().minUniformBufferOffsetAlignment)
        throw Error("kernel " + shader_ + ": input offset not aligned for its windows");
    // Pushes the descriptors, the windows starting `skip` bytes into the input.
    const auto pushDescriptors = [&](uint64_t skip) {
        if (declaresWindows_) {
            for (uint32_t window = 0; window < kInputWindowCount; ++window) {
                const BufferRange range =
                    windowed ? inputWindow(buffers[0], skip, window)
                             : unreadInputWindow(buffers[0],
                                                 context_->description().maxUniformBufferRange);
                infos[buffers.size() + window] = {range.buffer, range.offset, range.size};
            }
            VkWriteDescriptorSet& write = writes.back();
            write = {VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET};
            write.dstBinding = kInputWindowBinding;
            write.descriptorCount = kInputWindowCount;
            write.descriptorType = VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER;
            write.pBufferInfo = &infos[buffers.size()];
        }
        context_->pushDescriptorSet()(command, VK_PIPELINE_BIND_POINT_COMPUTE, layout_.get(), 0,
                                      uint32_t(writes.size()), writes.data());
    };
    vkCmdBindPipeline(command, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline_.get());
    if (!pushConstants.empty())
        vkCmdPushConstants(command, layout_.get(), VK_SHADER_STAGE_COMPUTE_BIT, 0,
                           uint32_t(pushConstants.size()), pushConstants.data());
    constexpr uint64_t kMaxGroupsX = 65535; // the guaranteed minimum of maxComputeWorkGroupCount
    if (windowed && inputOctetsPerWorkgroup_ != kEveryWorkgroupReadsAllInput) {
        if (groups > kMaxGroupsX)
            throw Error("kernel " + shader_ + ": too many workgroups for one windowed dispatch");
        const uint64_t groupsPerDispatch =
            kInputWindowCount * kInputWindowOctets / inputOctetsPerWorkgroup_;
        for (uint64_t first = 0; first < groups; first += groupsPerDispatch) {
            pushDescriptors(first * inputOctetsPerWorkgroup_ * 32);
            vkCmdDispatchBase(command, uint32_t(first), 0, 0,
                              uint32_t(std::min(groupsPerDispatch, groups - first)), 1, 1);
        }
        return;
    }
    if (windowed && buffers[0].size > kInputWindowCount * kInputWindowBytes)
        throw Error("kernel " + shader_ + ": input larger than its windows");
    pushDescriptors(0);
    if (groups == 0)
        return;
    const uint64_t x = std::min(groups, kMaxGroupsX);
    const uint64_t y = (groups + x - 1) / x;
    if (y > kMaxGroupsX)
        throw Error("kernel " + shader_ + ": too many workgroups for one dispatch");
    vkCmdDispatch(command, uint32_t(x), uint32_t(y), 1);
}

} // namespace bitlens

// SPDX-License-Identifier: MIT
#include "CommandSlot.h"

#include "VulkanError.h"

#include <cstdint>

namespace bitlens {

CommandSlot::CommandSlot(std::shared_ptr<VulkanContext> context) : context_(std::move(context)) {
    const VkDevice device = context_->device();
    VkCommandPoolCreateInfo poolInfo{VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
    poolInfo.flags = VK_COMMAND_POOL_CREATE_TRANSIENT_BIT;
    poolInfo.queueFamilyIndex = context_->queueFamily();
    VkCommandPool pool = VK_NULL_HANDLE;
    BITLENS_VK_CHECK(vkCreateCommandPool(device, &poolInfo, nullptr, &pool));
    pool_ = VulkanHandle<VkCommandPool>(device, pool, vkDestroyCommandPool);

    VkCommandBufferAllocateInfo allocation{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
    allocation.commandPool = pool;
    allocation.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
    allocation.commandBufferCount = 1;
    BITLENS_VK_CHECK(vkAllocateCommandBuffers(device, &allocation, &command_));

    VkFenceCreateInfo fenceInfo{VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
    VkFence fence = VK_NULL_HANDLE;
    BITLENS_VK_CHECK(vkCreateFence(device, &fenceInfo, nullptr, &fence));
    fence_ = VulkanHandle<VkFence>(device, fence, vkDestroyFence);

    if (context_->timestampPeriod() > 0) {
        VkQueryPoolCreateInfo queryInfo{VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO};
        queryInfo.queryType = VK_QUERY_TYPE_TIMESTAMP;
        queryInfo.queryCount = 2;
        VkQueryPool queries = VK_NULL_HANDLE;
        BITLENS_VK_CHECK(vkCreateQueryPool(device, &queryInfo, nullptr, &queries));
        timestamps_ = VulkanHandle<VkQueryPool>(device, queries, vkDestroyQueryPool);
    }
}

void CommandSlot::markStart() {
    if (!timestamps_)
        return;
    vkCmdResetQueryPool(command_, timestamps_.get(), 0, 2);
    // Once every earlier command has completed: a top-of-pipe stamp may be written as soon as they
    // start, and would count the transfers before the kernels.
    vkCmdWriteTimestamp(command_, VK_PIPELINE_STAGE_ALL_COMMANDS_BIT, timestamps_.get(), 0);
}

void CommandSlot::markEnd() {
    if (!timestamps_)
        return;
    vkCmdWriteTimestamp(command_, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, timestamps_.get(), 1);
    marked_ = true;
}

double CommandSlot::kernelSeconds() const {
    if (!marked_ || pending_)
        return 0;
    uint64_t ticks[2] = {};
    if (vkGetQueryPoolResults(context_->device(), timestamps_.get(), 0, 2, sizeof ticks, ticks,
                              sizeof(uint64_t), VK_QUERY_RESULT_64_BIT) != VK_SUCCESS)
        return 0;
    return double(ticks[1] - ticks[0]) * double(context_->timestampPeriod()) * 1e-9;
}

void CommandSlot::begin() {
    wait();
    BITLENS_VK_CHECK(vkResetCommandPool(context_->device(), pool_.get(), 0));
    VkCommandBufferBeginInfo info{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
    info.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
    BITLENS_VK_CHECK(vkBeginCommandBuffer(command_, &info));
    marked_ = false;
}

void CommandSlot::submit() {
    BITLENS_VK_CHECK(vkEndCommandBuffer(command_));
    const VkFence fence = fence_.get();
    BITLENS_VK_CHECK(vkResetFences(context_->device(), 1, &fence));
    VkSubmitInfo info{VK_STRUCTURE_TYPE_SUBMIT_INFO};
    info.commandBufferCount = 1;
    info.pCommandBuffers = &command_;
    BITLENS_VK_CHECK(vkQueueSubmit(context_->queue(), 1, &info, fence));
    pending_ = true;
}

void CommandSlot::wait() {
    if (!pending_)
        return;
    const VkFence fence = fence_.get();
    BITLENS_VK_CHECK(vkWaitForFences(context_->device(), 1, &fence, VK_TRUE, UINT64_MAX));
    pending_ = false;
}

void CommandSlot::barrier(VkCommandBuffer command) {
    VkMemoryBarrier barrier{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
    barrier.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT;
    barrier.dstAccessMask = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT |
                            VK_ACCESS_TRANSFER_READ_BIT | VK_ACCESS_TRANSFER_WRITE_BIT;
    vkCmdPipelineBarrier(command,
                         VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT,
                         VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT, 0,
                         1, &barrier, 0, nullptr, 0, nullptr);
}

void CommandSlot::barrierToHost(VkCommandBuffer command) {
    VkMemoryBarrier barrier{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
    barrier.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT | VK_ACCESS_SHADER_WRITE_BIT;
    barrier.dstAccessMask = VK_ACCESS_HOST_READ_BIT;
    vkCmdPipelineBarrier(command,
                         VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT,
                         VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &barrier, 0, nullptr, 0, nullptr);
}

} // namespace bitlens

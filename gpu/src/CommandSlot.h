// SPDX-License-Identifier: MIT
#pragma once

#include "VulkanContext.h"
#include "VulkanHandle.h"

#include <memory>

namespace bitlens {

// One command buffer with its own pool and fence: the unit of work in flight. Call order:
// begin() (waits for the previous submission of this slot), record into command(), submit(),
// later wait() before reading what it wrote. Move-only; keeps the context alive.
class CommandSlot {
public:
    explicit CommandSlot(std::shared_ptr<VulkanContext> context);

    VkCommandBuffer command() const { return command_; }
    void begin();
    void submit();
    void wait();
    bool pending() const { return pending_; }

    // Device time between two points of the recorded commands: markStart() and markEnd() record
    // timestamps, each written once every command recorded before it has completed; after
    // wait(), kernelSeconds() is the time between them (0 when the queue has no timestamps or
    // nothing was marked).
    void markStart();
    void markEnd();
    double kernelSeconds() const;

    // Records a full memory barrier between compute/transfer stages (shader writes become visible
    // to the next dispatch or copy).
    static void barrier(VkCommandBuffer command);
    // Records a barrier that makes transfer writes visible to the host after the fence.
    static void barrierToHost(VkCommandBuffer command);

private:
    std::shared_ptr<VulkanContext> context_;
    VulkanHandle<VkCommandPool> pool_;
    VulkanHandle<VkFence> fence_;
    VulkanHandle<VkQueryPool> timestamps_;
    VkCommandBuffer command_ = VK_NULL_HANDLE; // freed with the pool
    bool pending_ = false;
    bool marked_ = false;
};

} // namespace bitlens

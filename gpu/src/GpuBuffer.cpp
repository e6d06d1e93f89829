// SPDX-License-Identifier: MIT
#include "GpuBuffer.h"

#include "VulkanError.h"

namespace bitlens {

GpuBuffer::GpuBuffer(std::shared_ptr<VulkanContext> context, VkDeviceSize bytes, Kind kind)
    : context_(std::move(context)), bytes_(bytes) {
    const VkDevice device = context_->device();
    VkBufferCreateInfo info{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
    info.size = bytes == 0 ? 4 : bytes;
    info.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_UNIFORM_BUFFER_BIT |
                 VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT;
    info.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
    VkBuffer buffer = VK_NULL_HANDLE;
    BITLENS_VK_CHECK(vkCreateBuffer(device, &info, nullptr, &buffer));
    buffer_ = VulkanHandle<VkBuffer>(device, buffer, vkDestroyBuffer);

    VkMemoryRequirements requirements;
    vkGetBufferMemoryRequirements(device, buffer, &requirements);
    uint32_t type = 0;
    switch (kind) {
    case Kind::DeviceLocal:
        type = context_->memoryType(requirements.memoryTypeBits, 0,
                                    VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT);
        break;
    case Kind::Upload:
        type =
            context_->memoryType(requirements.memoryTypeBits, VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT,
                                 VK_MEMORY_PROPERTY_HOST_COHERENT_BIT);
        break;
    case Kind::Readback:
        type =
            context_->memoryType(requirements.memoryTypeBits, VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT,
                                 VK_MEMORY_PROPERTY_HOST_CACHED_BIT);
        break;
    }
    VkMemoryAllocateInfo allocation{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
    allocation.allocationSize = requirements.size;
    allocation.memoryTypeIndex = type;
    VkDeviceMemory memory = VK_NULL_HANDLE;
    BITLENS_VK_CHECK(vkAllocateMemory(device, &allocation, nullptr, &memory));
    memory_ = VulkanHandle<VkDeviceMemory>(device, memory, vkFreeMemory);
    BITLENS_VK_CHECK(vkBindBufferMemory(device, buffer, memory, 0));

    if (kind != Kind::DeviceLocal) {
        void* pointer = nullptr;
        BITLENS_VK_CHECK(vkMapMemory(device, memory, 0, VK_WHOLE_SIZE, 0, &pointer));
        mapped_ = static_cast<std::byte*>(pointer);
        coherent_ = context_->memoryTypeFlags(type) & VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
    }
}

GpuBuffer& GpuBuffer::operator=(GpuBuffer&& other) noexcept {
    if (this != &other) {
        release();
        buffer_ = std::move(other.buffer_);
        memory_ = std::move(other.memory_);
        context_ = std::move(other.context_);
        bytes_ = std::exchange(other.bytes_, 0);
        mapped_ = std::exchange(other.mapped_, nullptr);
        coherent_ = other.coherent_;
    }
    return *this;
}

GpuBuffer::~GpuBuffer() {
    release();
}

void GpuBuffer::release() {
    // Handles go before the context that owns their device (members would be destroyed after).
    buffer_.reset();
    memory_.reset(); // unmaps implicitly
    mapped_ = nullptr;
    context_.reset();
}

void GpuBuffer::flush() const {
    if (mapped_ && !coherent_) {
        VkMappedMemoryRange range{VK_STRUCTURE_TYPE_MAPPED_MEMORY_RANGE};
        range.memory = memory_.get();
        range.size = VK_WHOLE_SIZE;
        BITLENS_VK_CHECK(vkFlushMappedMemoryRanges(context_->device(), 1, &range));
    }
}

void GpuBuffer::invalidate() const {
    if (mapped_ && !coherent_) {
        VkMappedMemoryRange range{VK_STRUCTURE_TYPE_MAPPED_MEMORY_RANGE};
        range.memory = memory_.get();
        range.size = VK_WHOLE_SIZE;
        BITLENS_VK_CHECK(vkInvalidateMappedMemoryRanges(context_->device(), 1, &range));
    }
}

} // namespace bitlens

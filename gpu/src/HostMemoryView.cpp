// SPDX-License-Identifier: MIT
#include "HostMemoryView.h"

#include <cstdint>

namespace bitlens {

std::optional<HostMemoryView> HostMemoryView::import(std::shared_ptr<VulkanContext> context,
                                                     std::span<const std::byte> bytes) {
    const VkDeviceSize alignment = context->hostImportAlignment();
    if (alignment == 0 || bytes.empty())
        return std::nullopt;
    const auto address = reinterpret_cast<uintptr_t>(bytes.data());
    const uintptr_t start = address / alignment * alignment;
    const uintptr_t end = (address + bytes.size() + alignment - 1) / alignment * alignment;
    // The driver only reads or writes through bindings inside the span; the rest of the widened
    // pages belong to the same process and stay untouched.
    void* pointer = reinterpret_cast<void*>(start);
    const VkDevice device = context->device();
    constexpr auto handleType = VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT;

    VkMemoryHostPointerPropertiesEXT pointerProperties{
        VK_STRUCTURE_TYPE_MEMORY_HOST_POINTER_PROPERTIES_EXT};
    if (context->memoryHostPointerProperties()(device, handleType, pointer, &pointerProperties) !=
        VK_SUCCESS)
        return std::nullopt;

    VkExternalMemoryBufferCreateInfo external{VK_STRUCTURE_TYPE_EXTERNAL_MEMORY_BUFFER_CREATE_INFO};
    external.handleTypes = handleType;
    VkBufferCreateInfo info{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
    info.pNext = &external;
    info.size = end - start;
    info.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_UNIFORM_BUFFER_BIT |
                 VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT;
    info.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
    VkBuffer buffer = VK_NULL_HANDLE;
    if (vkCreateBuffer(device, &info, nullptr, &buffer) != VK_SUCCESS)
        return std::nullopt;
    HostMemoryView view;
    view.context_ = std::move(context);
    view.buffer_ = VulkanHandle<VkBuffer>(device, buffer, vkDestroyBuffer);

    VkMemoryRequirements requirements;
    vkGetBufferMemoryRequirements(device, buffer, &requirements);
    // Host-coherent memory only: no flushes or invalidations are recorded for these bytes.
    const uint32_t typeBits = requirements.memoryTypeBits & pointerProperties.memoryTypeBits;
    uint32_t type = 0;
    while (type < 32 && !((typeBits >> type) & 1u && view.context_->memoryTypeFlags(type) &
                                                         VK_MEMORY_PROPERTY_HOST_COHERENT_BIT))
        ++type;
    if (type == 32)
        return std::nullopt;
    VkImportMemoryHostPointerInfoEXT importInfo{
        VK_STRUCTURE_TYPE_IMPORT_MEMORY_HOST_POINTER_INFO_EXT};
    importInfo.handleType = handleType;
    importInfo.pHostPointer = pointer;
    VkMemoryAllocateInfo allocation{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
    allocation.pNext = &importInfo;
    allocation.allocationSize = end - start;
    allocation.memoryTypeIndex = type;
    VkDeviceMemory memory = VK_NULL_HANDLE;
    if (vkAllocateMemory(device, &allocation, nullptr, &memory) != VK_SUCCESS)
        return std::nullopt;
    view.memory_ = VulkanHandle<VkDeviceMemory>(device, memory, vkFreeMemory);
    if (vkBindBufferMemory(device, buffer, memory, 0) != VK_SUCCESS)
        return std::nullopt;
    view.spanOffset_ = address - start;
    return view;
}

std::optional<BufferRange> HostMemoryView::range(VkDeviceSize first, VkDeviceSize count) const {
    const VkDeviceSize offset = spanOffset_ + first;
    const DeviceDescription& device = context_->description();
    if (offset % device.minStorageBufferOffsetAlignment != 0 ||
        (context_->uniformInput() && offset % device.minUniformBufferOffsetAlignment != 0))
        return std::nullopt;
    return BufferRange{buffer_.get(), offset, count};
}

BufferRange HostMemoryView::transferRange(VkDeviceSize first, VkDeviceSize count) const {
    return BufferRange{buffer_.get(), spanOffset_ + first, count};
}

} // namespace bitlens

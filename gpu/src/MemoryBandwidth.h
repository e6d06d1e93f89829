// SPDX-License-Identifier: MIT
#pragma once

#include "ComputeKernel.h"
#include "VulkanContext.h"

#include <cstdint>
#include <memory>

namespace bitlens {

// A device's memory bandwidth in bytes read plus bytes written per second, copying between two
// device-local buffers: by vkCmdCopyBuffer and by the copy_words shader (the access pattern a
// kernel can reach). 0 where the compute queue has no timestamps.
struct MemoryBandwidth {
    double transfer = 0;
    double shader = 0;
    double best() const { return transfer > shader ? transfer : shader; }
};

// The copy_words kernel of KernelLibrary::kernel("copy_words", 2, 4).
inline constexpr const char* kCopyWordsShader = "copy_words";

// Records copy_words copying `bytes` (a multiple of 16, at most 64 GiB) from the start of `from`
// to the start of `to`.
void recordShaderCopy(VkCommandBuffer command, const ComputeKernel& copyWords,
                      const BufferRange& from, const BufferRange& to, uint64_t bytes);

// Both bandwidths over buffers of `bytes` (a multiple of 16), each the best of `repeats`; the
// shader copies in pieces that fit maxStorageBufferRange, one dispatch each.
MemoryBandwidth measureMemoryBandwidth(const std::shared_ptr<VulkanContext>& context,
                                       const ComputeKernel& copyWords, uint64_t bytes,
                                       unsigned repeats);

} // namespace bitlens

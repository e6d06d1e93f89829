// SPDX-License-Identifier: MIT
#include "MemoryBandwidth.h"

#include "CommandSlot.h"
#include "GpuBuffer.h"
#include "core/util/Error.h"

#include <algorithm>
#include <functional>

namespace bitlens {
namespace {

constexpr uint64_t kWordBytes = 16;
constexpr uint64_t kWordsPerWorkgroup = 1024; // 256 invocations, 4 words each (copy_words.comp)

// The best rate of `repeats` timed runs of what `record` records, moving 2 * bytes.
double bestRate(const std::shared_ptr<VulkanContext>& context, uint64_t bytes, unsigned repeats,
                const std::function<void(VkCommandBuffer)>& record) {
    CommandSlot slot(context);
    double best = 0;
    for (unsigned repeat = 0; repeat < repeats; ++repeat) {
        slot.begin();
        slot.markStart();
        record(slot.command());
        slot.markEnd();
        slot.submit();
        slot.wait();
        const double seconds = slot.kernelSeconds();
        if (seconds > 0)
            best = std::max(best, 2.0 * double(bytes) / seconds);
    }
    return best;
}

} // namespace

void recordShaderCopy(VkCommandBuffer command, const ComputeKernel& copyWords,
                      const BufferRange& from, const BufferRange& to, uint64_t bytes) {
    if (bytes % kWordBytes != 0 || bytes / kWordBytes > UINT32_MAX)
        throw Error("copy_words copies whole 16-byte words, at most 2^32 of them");
    const uint32_t words = uint32_t(bytes / kWordBytes);
    const BufferRange buffers[] = {from, to};
    copyWords.record(command, buffers, std::as_bytes(std::span(&words, 1)),
                     (words + kWordsPerWorkgroup - 1) / kWordsPerWorkgroup);
}

MemoryBandwidth measureMemoryBandwidth(const std::shared_ptr<VulkanContext>& context,
                                       const ComputeKernel& copyWords, uint64_t bytes,
                                       unsigned repeats) {
    const GpuBuffer from(context, bytes, GpuBuffer::Kind::DeviceLocal);
    const GpuBuffer to(context, bytes, GpuBuffer::Kind::DeviceLocal);
    MemoryBandwidth bandwidth;
    bandwidth.transfer = bestRate(context, bytes, repeats, [&](VkCommandBuffer command) {
        const VkBufferCopy region{0, 0, bytes};
        vkCmdCopyBuffer(command, from.get(), to.get(), 1, &region);
    });
    // One dispatch per piece that a storage-buffer binding can hold.
    const uint64_t pieceUnit = kWordBytes * kWordsPerWorkgroup;
    const uint64_t piece =
        std::max(context->description().maxStorageBufferRange / pieceUnit * pieceUnit, pieceUnit);
    bandwidth.shader = bestRate(context, bytes, repeats, [&](VkCommandBuffer command) {
        for (uint64_t at = 0; at < bytes; at += piece) {
            const uint64_t count = std::min(piece, bytes - at);
            recordShaderCopy(command, copyWords, {from.get(), at, count}, {to.get(), at, count},
                             count);
        }
    });
    return bandwidth;
}

} // namespace bitlens

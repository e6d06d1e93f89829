// SPDX-License-Identifier: MIT
#include "MemoryBandwidth.h"

#include "CommandSlot.h"
#include "GpuBuffer.h"

#include <algorithm>

namespace bitlens {

double measureCopyBandwidth(const std::shared_ptr<VulkanContext>& context, uint64_t bytes,
                            unsigned repeats) {
    const GpuBuffer from(context, bytes, GpuBuffer::Kind::DeviceLocal);
    const GpuBuffer to(context, bytes, GpuBuffer::Kind::DeviceLocal);
    CommandSlot slot(context);
    double best = 0;
    for (unsigned repeat = 0; repeat < repeats; ++repeat) {
        slot.begin();
        slot.markStart();
        const VkBufferCopy region{0, 0, bytes};
        vkCmdCopyBuffer(slot.command(), from.get(), to.get(), 1, &region);
        slot.markEnd();
        slot.submit();
        slot.wait();
        const double seconds = slot.kernelSeconds();
        if (seconds > 0)
            best = std::max(best, 2.0 * double(bytes) / seconds);
    }
    return best;
}

} // namespace bitlens

// SPDX-License-Identifier: MIT
#include "OpRecorder.h"

#include "CommandSlot.h"
#include "core/util/Error.h"

#include <vector>

namespace bitlens {

void OpRecorder::requireFloats(const GpuBuffer& buffer, uint64_t count, const char* what) {
    if (buffer.get() == VK_NULL_HANDLE || buffer.size() / 4 < count)
        throw Error(std::string(what) + " buffer holds " + std::to_string(buffer.size() / 4) +
                    " floats, the operator needs " + std::to_string(count));
}

uint32_t OpRecorder::index32(uint64_t value, const char* what) {
    if (value > UINT32_MAX)
        throw Error(std::string(what) + " of " + std::to_string(value) +
                    " is too large for the Vulkan operators (32-bit indices)");
    return uint32_t(value);
}

void OpRecorder::dispatchBytes(const std::string& shader,
                               std::initializer_list<const GpuBuffer*> buffers,
                               std::span<const std::byte> parameters, uint64_t groups) {
    std::vector<BufferRange> ranges;
    for (const GpuBuffer* buffer : buffers)
        ranges.push_back({buffer->get(), 0, VK_WHOLE_SIZE});
    kernels_.kernel(shader, uint32_t(ranges.size()), uint32_t(parameters.size()))
        .record(command_, ranges, parameters, groups);
    CommandSlot::barrier(command_);
}

} // namespace bitlens

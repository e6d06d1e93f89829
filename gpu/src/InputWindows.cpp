// SPDX-License-Identifier: MIT
#include "InputWindows.h"

#include <algorithm>

namespace bitlens {

bool declaresInputWindows(std::span<const SpirvInstruction> module) {
    using namespace spirv;
    return std::any_of(module.begin(), module.end(), [](const SpirvInstruction& instruction) {
        return instruction.opcode == kOpDecorate && instruction.words.size() >= 4 &&
               instruction.words[2] == kDecorationBinding &&
               instruction.words[3] == kInputWindowBinding;
    });
}

uint64_t windowedOctets(uint64_t octetsPerWorkgroup) {
    if (octetsPerWorkgroup == kEveryWorkgroupReadsAllInput)
        return octetsPerWorkgroup;
    return octetsPerWorkgroup != 0 && kInputWindowOctets % octetsPerWorkgroup == 0
               ? octetsPerWorkgroup
               : 0;
}

BufferRange inputWindow(const BufferRange& input, uint64_t skip, uint32_t window) {
    const uint64_t lastStart = (input.size - 1) / kInputWindowBytes * kInputWindowBytes;
    const uint64_t start = std::min(skip + window * kInputWindowBytes, lastStart);
    return {input.buffer, input.offset + start, std::min(kInputWindowBytes, input.size - start)};
}

BufferRange unreadInputWindow(const BufferRange& input, uint64_t maxUniformBufferRange) {
    return {input.buffer, 0,
            std::min({kInputWindowBytes, maxUniformBufferRange, input.offset + input.size})};
}

} // namespace bitlens

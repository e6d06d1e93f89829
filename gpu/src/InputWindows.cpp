// SPDX-License-Identifier: MIT
#include "InputWindows.h"

#include <algorithm>

namespace bitlens {

bool declaresInputWindows(std::span<const uint32_t> spirv) {
    constexpr uint32_t kOpDecorate = 71;
    constexpr uint32_t kDecorationBinding = 33;
    constexpr size_t kHeaderWords = 5;
    for (size_t at = kHeaderWords; at < spirv.size();) {
        const uint32_t words = spirv[at] >> 16;
        if (words == 0)
            break;
        if ((spirv[at] & 0xffffu) == kOpDecorate && words >= 4 && at + 3 < spirv.size() &&
            spirv[at + 2] == kDecorationBinding && spirv[at + 3] == kInputWindowBinding)
            return true;
        at += words;
    }
    return false;
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

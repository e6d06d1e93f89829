// SPDX-License-Identifier: MIT
#include "InputWindows.h"

#include <algorithm>

namespace bitlens {

BufferRange inputWindow(const BufferRange& input, uint64_t skip, uint32_t window) {
    const uint64_t lastStart = (input.size - 1) / kInputWindowBytes * kInputWindowBytes;
    const uint64_t start = std::min(skip + window * kInputWindowBytes, lastStart);
    return {input.buffer, input.offset + start, std::min(kInputWindowBytes, input.size - start)};
}

BufferRange unreadInputWindow(const BufferRange& input) {
    return {input.buffer, 0, std::min(kInputWindowBytes, input.offset + input.size)};
}

} // namespace bitlens

// SPDX-License-Identifier: MIT
#pragma once

#include "VulkanContext.h"

#include <cstdint>
#include <memory>

namespace bitlens {

// Device memory bandwidth as kernels can use it: vkCmdCopyBuffer between two device-local
// buffers of `bytes` each, timed with timestamp queries, best of `repeats`, in bytes read plus
// bytes written per second. 0 when the compute queue has no timestamps.
double measureCopyBandwidth(const std::shared_ptr<VulkanContext>& context, uint64_t bytes,
                            unsigned repeats);

} // namespace bitlens

// SPDX-License-Identifier: MIT
#pragma once

#include <string_view>
#include <vulkan/vulkan.h>

namespace bitlens {

// "VK_ERROR_OUT_OF_DEVICE_MEMORY" for a VkResult; codes this build does not know read
// "VK_RESULT_UNKNOWN" (the message of throwVulkanError also gives the number).
std::string_view vulkanResultName(VkResult result);

// Throws bitlens::Error "<call> failed: <VkResult name> (<code>) at <file>:<line>".
[[noreturn]] void throwVulkanError(const char* call, VkResult result, const char* file, int line);

} // namespace bitlens

// Checks a Vulkan call that returns VkResult; anything but VK_SUCCESS throws bitlens::Error.
#define BITLENS_VK_CHECK(call)                                                                     \
    do {                                                                                           \
        const VkResult bitlensVkResult = (call);                                                   \
        if (bitlensVkResult != VK_SUCCESS)                                                         \
            ::bitlens::throwVulkanError(#call, bitlensVkResult, __FILE__, __LINE__);               \
    } while (false)

// SPDX-License-Identifier: MIT
#include "VulkanError.h"

#include "core/util/Error.h"

#include <string>

namespace bitlens {

std::string_view vulkanResultName(VkResult result) {
    switch (result) {
#define BITLENS_RESULT_NAME(name)                                                                  \
    case name:                                                                                     \
        return #name;
        BITLENS_RESULT_NAME(VK_SUCCESS)
        BITLENS_RESULT_NAME(VK_NOT_READY)
        BITLENS_RESULT_NAME(VK_TIMEOUT)
        BITLENS_RESULT_NAME(VK_EVENT_SET)
        BITLENS_RESULT_NAME(VK_EVENT_RESET)
        BITLENS_RESULT_NAME(VK_INCOMPLETE)
        BITLENS_RESULT_NAME(VK_ERROR_OUT_OF_HOST_MEMORY)
        BITLENS_RESULT_NAME(VK_ERROR_OUT_OF_DEVICE_MEMORY)
        BITLENS_RESULT_NAME(VK_ERROR_INITIALIZATION_FAILED)
        BITLENS_RESULT_NAME(VK_ERROR_DEVICE_LOST)
        BITLENS_RESULT_NAME(VK_ERROR_MEMORY_MAP_FAILED)
        BITLENS_RESULT_NAME(VK_ERROR_LAYER_NOT_PRESENT)
        BITLENS_RESULT_NAME(VK_ERROR_EXTENSION_NOT_PRESENT)
        BITLENS_RESULT_NAME(VK_ERROR_FEATURE_NOT_PRESENT)
        BITLENS_RESULT_NAME(VK_ERROR_INCOMPATIBLE_DRIVER)
        BITLENS_RESULT_NAME(VK_ERROR_TOO_MANY_OBJECTS)
        BITLENS_RESULT_NAME(VK_ERROR_FORMAT_NOT_SUPPORTED)
        BITLENS_RESULT_NAME(VK_ERROR_FRAGMENTED_POOL)
        BITLENS_RESULT_NAME(VK_ERROR_UNKNOWN)
        BITLENS_RESULT_NAME(VK_ERROR_OUT_OF_POOL_MEMORY)
        BITLENS_RESULT_NAME(VK_ERROR_INVALID_EXTERNAL_HANDLE)
        BITLENS_RESULT_NAME(VK_ERROR_FRAGMENTATION)
        BITLENS_RESULT_NAME(VK_ERROR_INVALID_OPAQUE_CAPTURE_ADDRESS)
        BITLENS_RESULT_NAME(VK_PIPELINE_COMPILE_REQUIRED)
#undef BITLENS_RESULT_NAME
    default:
        return "VK_RESULT_UNKNOWN";
    }
}

void throwVulkanError(const char* call, VkResult result, const char* file, int line) {
    std::string where = file;
    if (const auto slash = where.find_last_of('/'); slash != std::string::npos)
        where.erase(0, slash + 1);
    throw Error(std::string(call) + " failed: " + std::string(vulkanResultName(result)) + " (" +
                std::to_string(int(result)) + ") at " + where + ":" + std::to_string(line));
}

} // namespace bitlens

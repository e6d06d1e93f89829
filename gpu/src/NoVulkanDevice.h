// SPDX-License-Identifier: MIT
#pragma once

#include "core/util/Error.h"

namespace bitlens {

// No usable Vulkan device (no driver, no device, or none with the features BitLens needs).
// Callers catch it to fall back to the CPU backend and tell the user why.
class NoVulkanDevice : public Error {
public:
    explicit NoVulkanDevice(const std::string& reason) : Error("No Vulkan device: " + reason) {}
};

} // namespace bitlens

// SPDX-License-Identifier: MIT
#include "BackendKind.h"

namespace bitlens {

std::optional<BackendKind> parseBackendKind(std::string_view text) {
    if (text == "auto")
        return BackendKind::Auto;
    if (text == "cpu")
        return BackendKind::Cpu;
    if (text == "vulkan")
        return BackendKind::Vulkan;
    return std::nullopt;
}

std::string_view backendKindName(BackendKind kind) {
    switch (kind) {
    case BackendKind::Auto:
        return "auto";
    case BackendKind::Cpu:
        return "cpu";
    case BackendKind::Vulkan:
        return "vulkan";
    }
    return "auto";
}

} // namespace bitlens

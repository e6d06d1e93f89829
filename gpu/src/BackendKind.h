// SPDX-License-Identifier: MIT
#pragma once

#include <optional>
#include <string_view>

namespace bitlens {

// Where quantization and evaluation run: `--device auto|cpu|vulkan`.
enum class BackendKind { Auto, Cpu, Vulkan };

std::optional<BackendKind> parseBackendKind(std::string_view text);
std::string_view backendKindName(BackendKind kind);

} // namespace bitlens

// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace bitlens {

// The SPIR-V of a shader variant compiled at build time (gpu/shaders/Shaders.cmake names them).
// Throws Error for an unknown name.
std::span<const uint32_t> spirvModule(std::string_view name);

// True when a variant of that name was compiled.
bool hasSpirvModule(std::string_view name);

// Every compiled variant's name, sorted.
std::vector<std::string> spirvModuleNames();

} // namespace bitlens

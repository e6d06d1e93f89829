// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace bitlens {

// The module a kernel runs: `spirv` with every float operation rounded on its own, as the CPU
// reference (built with -ffp-contract=off) rounds it.
// - Every GLSL.std.450 Fma becomes a multiply followed by an add. The shaders never call fma();
//   each one is spirv-opt's fusion of a multiply and an add (its folding rules since
//   SPIRV-Tools 2022.4), which drops the product's rounding even under `precise`.
// - Every float arithmetic instruction gets the NoContraction decoration, so that no driver
//   fuses a multiply and an add either (Vulkan lets it wherever the decoration is missing).
// Applying it twice gives the same module. Throws Error naming `module` for malformed SPIR-V.
std::vector<uint32_t> strictFloatSpirv(std::span<const uint32_t> spirv, const std::string& module);

} // namespace bitlens

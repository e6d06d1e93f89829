// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace bitlens {

// The words of a SPIR-V module before its first instruction: magic, version, generator, id
// bound, schema.
inline constexpr size_t kSpirvHeaderWords = 5;
inline constexpr size_t kSpirvBoundWord = 3;

// The opcodes, decorations and GLSL.std.450 instructions BitLens looks for (SPIR-V 1.6 and
// GLSL.std.450 specifications).
namespace spirv {
inline constexpr uint32_t kOpExtInstImport = 11;
inline constexpr uint32_t kOpExtInst = 12;
inline constexpr uint32_t kOpTypeFloat = 22;
inline constexpr uint32_t kOpTypeVector = 23;
inline constexpr uint32_t kOpDecorate = 71;
inline constexpr uint32_t kOpFAdd = 129;
inline constexpr uint32_t kOpFMul = 133;
inline constexpr uint32_t kOpFDiv = 136;
inline constexpr uint32_t kOpFRem = 140;
inline constexpr uint32_t kOpFMod = 141;
inline constexpr uint32_t kDecorationBinding = 33;
inline constexpr uint32_t kDecorationNoContraction = 42;
inline constexpr uint32_t kGlslFma = 50;
} // namespace spirv

// One instruction of a SPIR-V module: `words` spans it whole, its first word (word count and
// opcode) included, so operand k is words[k + 1].
struct SpirvInstruction {
    uint32_t opcode = 0;
    std::span<const uint32_t> words;
};

// The instructions of `spirv`, in order. Throws Error naming `module` where the module is not
// SPIR-V (wrong magic, shorter than its header) or an instruction's word count runs past the
// end or is zero.
std::vector<SpirvInstruction> spirvInstructions(std::span<const uint32_t> spirv,
                                                const std::string& module);

} // namespace bitlens

// SPDX-License-Identifier: MIT
#include "StrictFloatSpirv.h"

#include "SpirvInstructions.h"

#include <algorithm>
#include <cstring>
#include <unordered_set>

namespace bitlens {

namespace {

using namespace spirv;

// The float arithmetic opcodes, FNegate (127) to Dot (148) less the integer ones among them.
bool isFloatArithmetic(uint32_t opcode) {
    static constexpr uint32_t kOpcodes[] = {127, 129, 131, 133, 136, 140, 141,
                                            142, 143, 144, 145, 146, 147, 148};
    return std::find(std::begin(kOpcodes), std::end(kOpcodes), opcode) != std::end(kOpcodes);
}

// The sections a module holds before its types: OpNop, the debug instructions, capabilities,
// extensions, imports, memory model, entry points, execution modes and annotations.
bool precedesTypes(uint32_t opcode) {
    static constexpr uint32_t kOpcodes[] = {0,  2,  3,  4,  5,  6,  7,   10,  11,  14,   15,  16,
                                            17, 71, 72, 73, 74, 75, 330, 331, 332, 5632, 5633};
    return std::find(std::begin(kOpcodes), std::end(kOpcodes), opcode) != std::end(kOpcodes);
}

uint32_t glslImport(std::span<const SpirvInstruction> instructions) {
    for (const SpirvInstruction& instruction : instructions) {
        if (instruction.opcode != kOpExtInstImport || instruction.words.size() < 3)
            continue;
        const std::span<const uint32_t> name = instruction.words.subspan(2);
        std::string text(name.size() * 4, '\0');
        std::memcpy(text.data(), name.data(), text.size());
        if (text.c_str() == std::string("GLSL.std.450"))
            return instruction.words[1];
    }
    return 0;
}

void appendDecoration(std::vector<uint32_t>& out, uint32_t id) {
    out.insert(out.end(), {3u << 16 | kOpDecorate, id, kDecorationNoContraction});
}

} // namespace

std::vector<uint32_t> strictFloatSpirv(std::span<const uint32_t> spirv, const std::string& module) {
    const std::vector<SpirvInstruction> instructions = spirvInstructions(spirv, module);
    const uint32_t glsl = glslImport(instructions);
    const auto isFma = [glsl](const SpirvInstruction& instruction) {
        return glsl != 0 && instruction.opcode == kOpExtInst && instruction.words.size() == 8 &&
               instruction.words[3] == glsl && instruction.words[4] == kGlslFma;
    };

    std::unordered_set<uint32_t> decorated;
    for (const SpirvInstruction& instruction : instructions)
        if (instruction.opcode == kOpDecorate && instruction.words.size() == 3 &&
            instruction.words[2] == kDecorationNoContraction)
            decorated.insert(instruction.words[1]);
    // Result ids to decorate; each Fma's product gets a new id past the bound.
    uint32_t bound = spirv[kSpirvBoundWord];
    std::vector<uint32_t> undecorated;
    for (const SpirvInstruction& instruction : instructions) {
        if (isFma(instruction))
            undecorated.push_back(bound++);
        if ((isFma(instruction) || isFloatArithmetic(instruction.opcode)) &&
            instruction.words.size() >= 3 && !decorated.contains(instruction.words[2]))
            undecorated.push_back(instruction.words[2]);
    }

    std::vector<uint32_t> out(spirv.begin(), spirv.begin() + kSpirvHeaderWords);
    out[kSpirvBoundWord] = bound;
    out.reserve(spirv.size() + 3 * undecorated.size() + 2 * (bound - spirv[kSpirvBoundWord]));
    uint32_t nextProduct = spirv[kSpirvBoundWord];
    bool decorationsWritten = false;
    for (const SpirvInstruction& instruction : instructions) {
        if (!decorationsWritten && !precedesTypes(instruction.opcode)) {
            for (const uint32_t id : undecorated)
                appendDecoration(out, id);
            decorationsWritten = true;
        }
        if (isFma(instruction)) {
            // %r = Fma %a %b %c  ->  %p = OpFMul %a %b; %r = OpFAdd %p %c
            const std::span<const uint32_t> w = instruction.words;
            const uint32_t type = w[1], result = w[2], a = w[5], b = w[6], c = w[7];
            const uint32_t product = nextProduct++;
            out.insert(out.end(), {5u << 16 | kOpFMul, type, product, a, b});
            out.insert(out.end(), {5u << 16 | kOpFAdd, type, result, product, c});
        } else {
            out.insert(out.end(), instruction.words.begin(), instruction.words.end());
        }
    }
    return out;
}

} // namespace bitlens

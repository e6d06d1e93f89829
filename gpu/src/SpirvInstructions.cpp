// SPDX-License-Identifier: MIT
#include "SpirvInstructions.h"

#include "core/util/Error.h"

namespace bitlens {

std::vector<SpirvInstruction> spirvInstructions(std::span<const uint32_t> spirv,
                                                const std::string& module) {
    constexpr uint32_t kMagic = 0x07230203;
    if (spirv.size() < kSpirvHeaderWords || spirv[0] != kMagic)
        throw Error("shader " + module + ": not a SPIR-V module");
    std::vector<SpirvInstruction> instructions;
    for (size_t at = kSpirvHeaderWords; at < spirv.size();) {
        const uint32_t words = spirv[at] >> 16;
        if (words == 0 || words > spirv.size() - at)
            throw Error("shader " + module + ": malformed SPIR-V instruction at word " +
                        std::to_string(at));
        instructions.push_back({spirv[at] & 0xffffu, spirv.subspan(at, words)});
        at += words;
    }
    return instructions;
}

} // namespace bitlens

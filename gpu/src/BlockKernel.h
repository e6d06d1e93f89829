// SPDX-License-Identifier: MIT
#pragma once

#include "FormatKernel.h"

namespace bitlens {

// A format kernel whose shader encodes fixed-length blocks laid out one after another with no
// tensor header: each workgroup takes `blocksPerWorkgroup` consecutive blocks, and the shader's
// push constants carry the chunk's block count in parameters[0] (`blocks`). Every such shader
// includes error_partials.glsl; `inputWindows`: it reads its blocks' values through
// input_windows.glsl; `laneVariant`: "<shader>_lanes" exists (FormatKernel::hasLaneVariant).
class BlockKernel final : public FormatKernel {
public:
    BlockKernel(std::string shader, uint64_t blockLength, uint64_t blocksPerWorkgroup,
                bool inputWindows, bool laneVariant);

    bool sumsErrors() const override { return true; }
    uint64_t inputOctetsPerWorkgroup(uint64_t rowLength) const override;
    std::string shader() const override { return shader_; }
    bool hasLaneVariant(uint64_t) const override { return laneVariant_; }
    FormatPushConstants pushConstants(MatrixShape chunk) const override;
    uint64_t workgroups(MatrixShape chunk) const override;

private:
    std::string shader_;
    uint64_t blockLength_;
    uint64_t blocksPerWorkgroup_;
    bool inputWindows_;
    bool laneVariant_;
};

} // namespace bitlens

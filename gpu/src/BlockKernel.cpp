// SPDX-License-Identifier: MIT
#include "BlockKernel.h"

#include "InputWindows.h"

namespace bitlens {

BlockKernel::BlockKernel(std::string shader, uint64_t blockLength, uint64_t blocksPerWorkgroup,
                         bool inputWindows, bool laneVariant)
    : shader_(std::move(shader)), blockLength_(blockLength),
      blocksPerWorkgroup_(blocksPerWorkgroup), inputWindows_(inputWindows),
      laneVariant_(laneVariant) {}

uint64_t BlockKernel::inputOctetsPerWorkgroup(uint64_t) const {
    return inputWindows_ ? windowedOctets(blockLength_ * blocksPerWorkgroup_ / 8) : 0;
}

FormatPushConstants BlockKernel::pushConstants(MatrixShape chunk) const {
    FormatPushConstants constants;
    constants.rows = uint32_t(chunk.rows);
    constants.rowLength = uint32_t(chunk.rowLength);
    constants.blockLength = uint32_t(blockLength_);
    constants.parameters[0] = uint32_t(chunk.elements() / blockLength_);
    return constants;
}

uint64_t BlockKernel::workgroups(MatrixShape chunk) const {
    const uint64_t blocks = chunk.elements() / blockLength_;
    return (blocks + blocksPerWorkgroup_ - 1) / blocksPerWorkgroup_;
}

} // namespace bitlens

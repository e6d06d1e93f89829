// SPDX-License-Identifier: MIT
#include "IntegerKernel.h"

namespace bitlens {

namespace {
constexpr uint32_t kUnitsPerWorkgroup = 64; // local_size_x of int_quant.comp
} // namespace

std::unique_ptr<FormatKernel> IntegerKernel::create(const Format& format) {
    const auto* integer = dynamic_cast<const IntegerFormat*>(&format);
    if (!integer || integer->params().granularity == IntegerGranularity::Tensor)
        return nullptr;
    return std::unique_ptr<FormatKernel>(new IntegerKernel(*integer));
}

std::string IntegerKernel::shader() const {
    return "int_quant_b" + std::to_string(format_.params().bits);
}

std::vector<uint32_t> IntegerKernel::specialization() const {
    const IntegerParams& params = format_.params();
    return {params.symmetric, params.fp32Scale, params.mseSearch};
}

uint64_t IntegerKernel::unitLength(uint64_t rowLength) const {
    return format_.params().granularity == IntegerGranularity::Group ? format_.params().groupSize
                                                                     : rowLength;
}

FormatPushConstants IntegerKernel::pushConstants(MatrixShape chunk) const {
    const uint64_t length = unitLength(chunk.rowLength);
    FormatPushConstants constants;
    constants.rows = uint32_t(chunk.rows);
    constants.rowLength = uint32_t(chunk.rowLength);
    constants.blockLength = uint32_t(length);
    constants.parameters[0] = uint32_t(format_.packedBytes({1, chunk.rowLength}) /
                                       (chunk.rowLength / length));
    constants.parameters[1] = uint32_t(chunk.elements() / length);
    return constants;
}

uint64_t IntegerKernel::workgroups(MatrixShape chunk) const {
    const uint64_t units = chunk.elements() / unitLength(chunk.rowLength);
    return (units + kUnitsPerWorkgroup - 1) / kUnitsPerWorkgroup;
}

} // namespace bitlens

// SPDX-License-Identifier: MIT
#include "IntegerKernel.h"

#include "core/quant/PackedBytes.h"
#include "core/tensor/FloatBits.h"

#include <bit>

namespace bitlens {
namespace {
constexpr uint32_t kUnitsPerWorkgroup = 64; // local_size_x of int_quant.comp
} // namespace

std::unique_ptr<FormatKernel> IntegerKernel::create(const Format& format) {
    const auto* integer = dynamic_cast<const IntegerFormat*>(&format);
    if (!integer || (integer->params().granularity == IntegerGranularity::Tensor &&
                     integer->params().mseSearch))
        return nullptr;
    return std::unique_ptr<FormatKernel>(new IntegerKernel(*integer));
}

std::vector<std::byte> IntegerKernel::prepare(const TensorRange& range) {
    const IntegerParams& params = format_.params();
    tensorScale_ = integerScaleForRange(range.lo, range.hi, params);
    std::vector<std::byte> header(params.fp32Scale ? 4 : 2);
    if (params.fp32Scale)
        storeF32(header.data(), tensorScale_.scale);
    else
        storeU16(header.data(), floatToHalf(tensorScale_.scale));
    if (!params.symmetric)
        header.push_back(std::byte(uint8_t(tensorScale_.zero)));
    return header;
}

std::string IntegerKernel::shader() const {
    return "int_quant_b" + std::to_string(format_.params().bits);
}

std::vector<uint32_t> IntegerKernel::specialization() const {
    const IntegerParams& params = format_.params();
    return {params.symmetric, params.fp32Scale, params.mseSearch, perTensor()};
}

uint64_t IntegerKernel::unitLength(uint64_t rowLength) const {
    return format_.params().granularity == IntegerGranularity::Group ? format_.params().groupSize
                                                                     : rowLength;
}

FormatPushConstants IntegerKernel::pushConstants(MatrixShape chunk) const {
    const uint64_t length = unitLength(chunk.rowLength);
    const uint64_t oneRow = format_.packedBytes({1, chunk.rowLength});
    const uint64_t rowBytes = format_.packedBytes({2, chunk.rowLength}) - oneRow;
    FormatPushConstants constants;
    constants.rows = uint32_t(chunk.rows);
    constants.rowLength = uint32_t(chunk.rowLength);
    constants.blockLength = uint32_t(length);
    constants.parameters[0] = uint32_t(rowBytes / (chunk.rowLength / length));
    constants.parameters[1] = uint32_t(chunk.elements() / length);
    constants.parameters[2] = std::bit_cast<uint32_t>(tensorScale_.scale);
    constants.parameters[3] = uint32_t(tensorScale_.zero);
    return constants;
}

uint64_t IntegerKernel::workgroups(MatrixShape chunk) const {
    const uint64_t units = chunk.elements() / unitLength(chunk.rowLength);
    return (units + kUnitsPerWorkgroup - 1) / kUnitsPerWorkgroup;
}

} // namespace bitlens

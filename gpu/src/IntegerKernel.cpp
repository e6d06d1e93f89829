// SPDX-License-Identifier: MIT
#include "IntegerKernel.h"

#include "InputWindows.h"
#include "core/quant/PackedBytes.h"
#include "core/tensor/FloatBits.h"

#include <bit>

namespace bitlens {
namespace {
constexpr uint32_t kUnitsPerWorkgroup = 64; // local_size_x of int_quant.comp
// int_quant.comp's loop budget, and the values the input windows hold.
constexpr uint64_t kSearchValuesPerDispatch = kInputWindowCount * kInputWindowBytes / 4;
// Per tensor, each invocation encodes a piece of this many values of a row (a multiple of 8:
// pieces start on a byte of the row's codes), so short tensors still spread over many.
constexpr uint64_t kTensorPiece = 256;
constexpr uint64_t kCachedGroup = 128; // larger groups stream their values (compile time)
constexpr uint64_t kCachedSearchGroup = 64;
constexpr uint64_t kLaneGroupStep = 32; // int_quant_lanes.comp: eight invocations, a vec4 each
constexpr uint64_t kLargestLaneGroup = 256;
// Its shared memory, within the 16 KiB every Vulkan device has (maxComputeSharedMemorySize):
// the staged bytes of 64 groups (STAGED_WORDS there; int8-g256's do not fit) or of one row
// (ROW_STAGED_WORDS), and 64 bytes of row ranges.
constexpr uint64_t kLaneSharedBytes = 16384 - 64;
constexpr uint64_t kRowStagedBytes = 4 * 3712; // ROW_STAGED_WORDS, below kLaneSharedBytes
static_assert(kRowStagedBytes <= kLaneSharedBytes);
uint64_t laneStagedBytes(uint64_t groupSize, uint64_t bits) {
    return 4 * (64 * (4 + ((groupSize + 1) * bits + 7) / 8) / 4 + 2);
}
} // namespace

std::unique_ptr<FormatKernel> IntegerKernel::create(const Format& format) {
    const auto* integer = dynamic_cast<const IntegerFormat*>(&format);
    if (!integer)
        return nullptr;
    return std::unique_ptr<FormatKernel>(new IntegerKernel(*integer));
}

void IntegerKernel::prepare(const TensorRange& range) {
    candidates_ = integerSearchCandidates(range.lo, range.hi, format_.params());
    tensorScale_ = candidates_[0];
}

// Scan state: the candidates' scales, their zero points (as floats), then their running sums.
std::optional<TensorScan> IntegerKernel::scan(uint64_t rowLength) const {
    if (!tensorSearch())
        return std::nullopt;
    std::vector<float> state(3 * kIntegerSearchCandidates, 0.0f);
    for (size_t k = 0; k < candidates_.size(); ++k) {
        state[k] = candidates_[k].scale;
        state[kIntegerSearchCandidates + k] = float(candidates_[k].zero);
    }
    TensorScan search;
    search.specialization = specialization(rowLength, true);
    const auto bytes = std::as_bytes(std::span(state));
    search.initialState.assign(bytes.begin(), bytes.end());
    search.workgroups = 3; // one invocation per candidate, eight per workgroup
    search.valuesPerDispatch = kSearchValuesPerDispatch;
    search.windowedInput = true;
    return search;
}

void IntegerKernel::finishScan(std::span<const std::byte>, std::span<const std::byte> state) {
    // The first candidate with the strictly smallest error, as chooseIntegerScale.
    size_t best = 0;
    float bestError = loadF32(state.data() + 4 * (2 * kIntegerSearchCandidates));
    for (size_t k = 1; k < candidates_.size(); ++k) {
        const float error = loadF32(state.data() + 4 * (2 * kIntegerSearchCandidates + k));
        if (error < bestError) {
            best = k;
            bestError = error;
        }
    }
    tensorScale_ = candidates_[best];
}

std::vector<std::byte> IntegerKernel::header() const {
    if (!perTensor())
        return {};
    const IntegerParams& params = format_.params();
    std::vector<std::byte> bytes(params.fp32Scale ? 4 : 2);
    if (params.fp32Scale)
        storeF32(bytes.data(), tensorScale_.scale);
    else
        storeU16(bytes.data(), floatToHalf(tensorScale_.scale));
    if (!params.symmetric)
        bytes.push_back(std::byte(uint8_t(tensorScale_.zero)));
    return bytes;
}

std::string IntegerKernel::shader() const {
    return "int_quant_b" + std::to_string(format_.params().bits);
}

std::vector<uint32_t> IntegerKernel::specialization(uint64_t rowLength) const {
    return specialization(rowLength, false);
}

std::vector<uint32_t> IntegerKernel::specialization(uint64_t rowLength, bool searchPass) const {
    const IntegerParams& params = format_.params();
    // Groups of up to kCachedGroup values (kCachedSearchGroup with the MSE search) that start on
    // an octet are read once into registers; not with fp32 scales. Larger unrolled kernels take
    // lavapipe seconds to compile (a 1 MiB bench run, compile included: int4-g128-asym-mse 3.6 s,
    // int4-g64-asym-mse 1.6 s; int4-g128-asym-fp32 took 6.6 s to compile).
    const bool cached = params.granularity == IntegerGranularity::Group && !params.fp32Scale &&
                        params.groupSize % 8 == 0 &&
                        params.groupSize <= (params.mseSearch ? kCachedSearchGroup : kCachedGroup);
    // Every unit starts on an octet and is a multiple of 8 values long: no per-value fallbacks.
    const bool wholeOctets = rowLength % 8 == 0 && unitLength(rowLength) % 8 == 0;
    // Constant 7, the group length, only int_quant_lanes.comp reads; 0 for other
    // granularities, so that rows of different lengths share one pipeline.
    const bool group = params.granularity == IntegerGranularity::Group;
    return {params.symmetric, params.fp32Scale,
            params.mseSearch, perTensor(),
            searchPass,       cached ? uint32_t(params.groupSize) : 1u,
            wholeOctets,      group ? uint32_t(params.groupSize) : 0u};
}

bool IntegerKernel::hasLaneVariant(uint64_t rowLength) const {
    const IntegerParams& params = format_.params();
    if (params.mseSearch || perTensor())
        return false;
    if (params.granularity != IntegerGranularity::Group) // a workgroup per row, staged whole
        return rowLength % 4 == 0 &&
               4 * (format_.packedBytes({1, rowLength}) / 4 + 2) <= kRowStagedBytes;
    return params.groupSize % kLaneGroupStep == 0 && params.groupSize <= kLargestLaneGroup &&
           laneStagedBytes(params.groupSize, params.bits) <= kLaneSharedBytes &&
           rowLength % params.groupSize == 0;
}

uint64_t IntegerKernel::laneWorkgroups(MatrixShape chunk) const {
    return format_.params().granularity == IntegerGranularity::Group ? workgroups(chunk)
                                                                     : chunk.rows;
}

uint64_t IntegerKernel::unitLength(uint64_t rowLength) const {
    return format_.params().granularity == IntegerGranularity::Group ? format_.params().groupSize
                                                                     : rowLength;
}

uint64_t IntegerKernel::units(MatrixShape chunk) const {
    if (perTensor())
        return chunk.rows * ((chunk.rowLength + kTensorPiece - 1) / kTensorPiece);
    return chunk.elements() / unitLength(chunk.rowLength);
}

FormatPushConstants IntegerKernel::pushConstants(MatrixShape chunk) const {
    const uint64_t length = unitLength(chunk.rowLength);
    const uint64_t oneRow = format_.packedBytes({1, chunk.rowLength});
    const uint64_t rowBytes = format_.packedBytes({2, chunk.rowLength}) - oneRow;
    FormatPushConstants constants;
    constants.rows = uint32_t(chunk.rows);
    constants.rowLength = uint32_t(chunk.rowLength);
    constants.blockLength = uint32_t(perTensor() ? kTensorPiece : length);
    constants.parameters[0] =
        uint32_t(perTensor() ? rowBytes : rowBytes / (chunk.rowLength / length));
    constants.parameters[1] = uint32_t(units(chunk));
    constants.parameters[2] = std::bit_cast<uint32_t>(tensorScale_.scale);
    constants.parameters[3] = uint32_t(tensorScale_.zero);
    return constants;
}

// Consecutive units of equal length: groups, or per tensor pieces where every row is whole pieces.
uint64_t IntegerKernel::inputOctetsPerWorkgroup(uint64_t rowLength) const {
    const uint64_t length = perTensor() ? kTensorPiece : unitLength(rowLength);
    const bool equalUnits = format_.params().granularity == IntegerGranularity::Group ||
                            (perTensor() && rowLength % kTensorPiece == 0);
    if (!equalUnits || rowLength % 8 != 0 || length % 8 != 0)
        return 0;
    return windowedOctets(kUnitsPerWorkgroup * length / 8);
}

uint64_t IntegerKernel::workgroups(MatrixShape chunk) const {
    return (units(chunk) + kUnitsPerWorkgroup - 1) / kUnitsPerWorkgroup;
}

} // namespace bitlens

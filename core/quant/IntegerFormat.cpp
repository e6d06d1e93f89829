// SPDX-License-Identifier: MIT
#include "core/quant/IntegerFormat.h"

#include "core/quant/FormatContract.h"
#include "core/quant/PackedBytes.h"
#include "core/tensor/FloatBits.h"
#include "core/tensor/Rounding.h"
#include "core/util/Error.h"

#include <algorithm>
#include <charconv>
#include <limits>

namespace bitlens {
namespace {

constexpr uint64_t kMaxGroupSize = uint64_t(1) << 24;
constexpr unsigned kListedGroups[] = {32, 64, 128, 256};

int maxCode(const IntegerParams& params) {
    return params.symmetric ? (1 << (params.bits - 1)) - 1 : (1 << params.bits) - 1;
}

// Stored B-bit field of a code: two's complement for symmetric codes.
uint8_t codeToField(int code, const IntegerParams& params) {
    return uint8_t(uint32_t(code) & ((1u << params.bits) - 1u));
}
int fieldToCode(uint8_t field, const IntegerParams& params) {
    if (params.symmetric && (field >> (params.bits - 1)) != 0)
        return int(field) - (1 << params.bits);
    return field;
}

float storedScale(float raw, const IntegerParams& params) {
    if (params.fp32Scale)
        return std::min(raw, std::numeric_limits<float>::max());
    const float clamped = std::min(raw, 65504.0f);
    uint16_t bits = floatToHalf(clamped);
    if (halfToFloat(bits) < clamped)
        ++bits; // the next larger fp16 (clamped >= 0): the range never clips
    return halfToFloat(bits);
}

float squaredError(std::span<const float> values, IntegerScale scale, const IntegerParams& params) {
    float sum = 0.0f;
    for (float value : values) {
        const float difference = integerValue(integerCode(value, scale, params), scale) - value;
        const float square = difference * difference;
        sum = sum + square;
    }
    return sum;
}

// The bit-field string of one unit: [zero (asymmetric)] then the codes.
void encodeFields(std::span<const float> values, IntegerScale scale, const IntegerParams& params,
                  bool withZero, std::vector<uint8_t>& fields) {
    fields.clear();
    if (withZero)
        fields.push_back(codeToField(scale.zero, params));
    for (float value : values)
        fields.push_back(codeToField(integerCode(value, scale, params), params));
}

bool parseNumber(std::string_view text, uint64_t& value) {
    if (text.empty() || text.front() == '0')
        return false;
    const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
    return result.ec == std::errc() && result.ptr == text.data() + text.size();
}

std::vector<std::string_view> splitDashes(std::string_view id) {
    std::vector<std::string_view> parts;
    size_t start = 0;
    while (true) {
        const size_t dash = id.find('-', start);
        parts.push_back(id.substr(start, dash - start));
        if (dash == std::string_view::npos)
            return parts;
        start = dash + 1;
    }
}

} // namespace

IntegerScale integerScaleForRange(float lo, float hi, const IntegerParams& params) {
    const float qmax = float(maxCode(params));
    const float raw = params.symmetric ? std::max(hi, -lo) / qmax : (hi - lo) / qmax;
    IntegerScale result;
    result.scale = storedScale(raw, params);
    if (!params.symmetric && result.scale != 0.0f)
        result.zero = int(std::clamp(roundHalfAwayFromZero(-lo / result.scale), 0.0f, qmax));
    return result;
}

std::array<IntegerScale, kIntegerSearchCandidates>
integerSearchCandidates(float lo, float hi, const IntegerParams& params) {
    std::array<IntegerScale, kIntegerSearchCandidates> candidates;
    candidates[0] = integerScaleForRange(lo, hi, params);
    for (int k = 1; k < kIntegerSearchCandidates; ++k) {
        const float factor = float(40 - k) * 0.025f;
        candidates[size_t(k)] = integerScaleForRange(lo * factor, hi * factor, params);
    }
    return candidates;
}

IntegerScale chooseIntegerScale(std::span<const float> values, const IntegerParams& params) {
    float lo = 0.0f;
    float hi = 0.0f;
    for (float value : values) {
        lo = std::min(lo, value);
        hi = std::max(hi, value);
    }
    if (!params.mseSearch)
        return integerScaleForRange(lo, hi, params);
    const auto candidates = integerSearchCandidates(lo, hi, params);
    IntegerScale best = candidates[0];
    float bestError = squaredError(values, best, params);
    for (size_t k = 1; k < candidates.size(); ++k) {
        const float error = squaredError(values, candidates[k], params);
        if (error < bestError) {
            best = candidates[k];
            bestError = error;
        }
    }
    return best;
}

int integerCode(float value, IntegerScale scale, const IntegerParams& params) {
    if (scale.scale == 0.0f)
        return scale.zero;
    const float qmax = float(maxCode(params));
    const float lowest = params.symmetric ? -qmax : float(-scale.zero);
    const float highest = params.symmetric ? qmax : qmax - float(scale.zero);
    const float rounded = std::clamp(roundHalfAwayFromZero(value / scale.scale), lowest, highest);
    return int(rounded) + scale.zero;
}

IntegerFormat::IntegerFormat(IntegerParams params) : params_(params) {
    if (params.bits < 2 || params.bits > 8)
        throw Error("integer format: bits must be 2..8, not " + std::to_string(params.bits));
    if (params.granularity == IntegerGranularity::Group &&
        (params.groupSize == 0 || params.groupSize > kMaxGroupSize))
        throw Error("integer format: group size must be 1.." + std::to_string(kMaxGroupSize));
}

std::string IntegerFormat::id() const {
    std::string text = "int" + std::to_string(params_.bits) + "-";
    switch (params_.granularity) {
    case IntegerGranularity::Group:
        text += "g" + std::to_string(params_.groupSize);
        break;
    case IntegerGranularity::Channel:
        text += "ch";
        break;
    case IntegerGranularity::Tensor:
        text += "tensor";
        break;
    }
    text += params_.symmetric ? "-sym" : "-asym";
    if (params_.fp32Scale)
        text += "-fp32";
    if (params_.mseSearch)
        text += "-mse";
    return text;
}

std::string IntegerFormat::description() const {
    std::string text = std::to_string(params_.bits) + "-bit integer, ";
    text += params_.symmetric ? "symmetric, " : "asymmetric (zero point), ";
    text += params_.fp32Scale ? "fp32 scale " : "fp16 scale ";
    switch (params_.granularity) {
    case IntegerGranularity::Group:
        text += "per group of " + std::to_string(params_.groupSize);
        break;
    case IntegerGranularity::Channel:
        text += "per output channel";
        break;
    case IntegerGranularity::Tensor:
        text += "per tensor";
        break;
    }
    if (params_.mseSearch)
        text += ", MSE-searched clipping";
    return text;
}

uint64_t IntegerFormat::blockLength(uint64_t rowLength) const {
    switch (params_.granularity) {
    case IntegerGranularity::Group:
        return params_.groupSize;
    case IntegerGranularity::Channel:
        return rowLength;
    case IntegerGranularity::Tensor:
        return 0;
    }
    return 0;
}

std::string IntegerFormat::unsupportedReason(uint64_t rowLength) const {
    if (params_.granularity == IntegerGranularity::Group)
        return rowTilingReason(rowLength, params_.groupSize, "group size");
    return rowTilingReason(rowLength, 1, "block");
}

uint64_t IntegerFormat::unitLength(uint64_t rowLength) const {
    return params_.granularity == IntegerGranularity::Group ? params_.groupSize : rowLength;
}

uint64_t IntegerFormat::unitBytes(uint64_t rowLength) const {
    const uint64_t fields = unitLength(rowLength) + (params_.symmetric ? 0 : 1);
    return scaleBytes() + bitFieldBytes(fields, params_.bits);
}

uint64_t IntegerFormat::tensorHeaderBytes() const {
    return scaleBytes() + (params_.symmetric ? 0 : 1);
}

uint64_t IntegerFormat::packedBytes(MatrixShape shape) const {
    if (params_.granularity == IntegerGranularity::Tensor)
        return tensorHeaderBytes() + shape.rows * bitFieldBytes(shape.rowLength, params_.bits);
    if (shape.rowLength == 0)
        return 0;
    return shape.elements() / unitLength(shape.rowLength) * unitBytes(shape.rowLength);
}

void IntegerFormat::writeScale(std::byte* at, float scale) const {
    if (params_.fp32Scale)
        storeF32(at, scale);
    else
        storeU16(at, floatToHalf(scale));
}

float IntegerFormat::readScale(const std::byte* at) const {
    return params_.fp32Scale ? loadF32(at) : halfToFloat(loadU16(at));
}

void IntegerFormat::quantize(std::span<const float> src, MatrixShape shape,
                             std::span<std::byte> dst) const {
    checkQuantizeArguments(*this, src, shape, dst);
    std::vector<uint8_t> fields;
    if (params_.granularity == IntegerGranularity::Tensor) {
        const IntegerScale scale = chooseIntegerScale(src, params_);
        writeScale(dst.data(), scale.scale);
        if (!params_.symmetric)
            dst[scaleBytes()] = std::byte(scale.zero);
        const uint64_t rowBytes = bitFieldBytes(shape.rowLength, params_.bits);
        for (uint64_t row = 0; row < shape.rows; ++row) {
            encodeFields(src.subspan(row * shape.rowLength, shape.rowLength), scale, params_, false,
                         fields);
            packBitFields(fields, params_.bits,
                          dst.subspan(tensorHeaderBytes() + row * rowBytes, rowBytes));
        }
        return;
    }
    // Groups and rows tile the row-major tensor, so units are consecutive runs of src.
    const uint64_t length = unitLength(shape.rowLength);
    const uint64_t bytes = unitBytes(shape.rowLength);
    for (uint64_t unit = 0; unit < src.size() / length; ++unit) {
        const std::span<const float> values = src.subspan(unit * length, length);
        const IntegerScale scale = chooseIntegerScale(values, params_);
        std::byte* out = dst.data() + unit * bytes;
        writeScale(out, scale.scale);
        encodeFields(values, scale, params_, !params_.symmetric, fields);
        packBitFields(fields, params_.bits, {out + scaleBytes(), bytes - scaleBytes()});
    }
}

IntegerScale IntegerFormat::readUnit(std::span<const std::byte> src, MatrixShape shape,
                                     uint64_t unit, std::vector<uint8_t>& fields) const {
    const uint64_t length = unitLength(shape.rowLength);
    IntegerScale scale;
    if (params_.granularity == IntegerGranularity::Tensor) {
        scale.scale = readScale(src.data());
        if (!params_.symmetric)
            scale.zero = int(uint8_t(src[scaleBytes()]) & ((1u << params_.bits) - 1u));
        const uint64_t rowBytes = bitFieldBytes(length, params_.bits);
        fields.resize(length);
        unpackBitFields(src.subspan(tensorHeaderBytes() + unit * rowBytes, rowBytes), params_.bits,
                        fields);
        return scale;
    }
    const uint64_t bytes = unitBytes(shape.rowLength);
    const std::span<const std::byte> packed = src.subspan(unit * bytes, bytes);
    scale.scale = readScale(packed.data());
    fields.resize(length + (params_.symmetric ? 0 : 1));
    unpackBitFields(packed.subspan(scaleBytes()), params_.bits, fields);
    if (!params_.symmetric) {
        scale.zero = fields.front();
        fields.erase(fields.begin());
    }
    return scale;
}

void IntegerFormat::dequantize(std::span<const std::byte> src, MatrixShape shape,
                               std::span<float> dst) const {
    checkDequantizeArguments(*this, src, shape, dst);
    const uint64_t length = unitLength(shape.rowLength);
    std::vector<uint8_t> fields;
    for (uint64_t unit = 0; unit < dst.size() / length; ++unit) {
        const IntegerScale scale = readUnit(src, shape, unit, fields);
        for (uint64_t i = 0; i < length; ++i)
            dst[unit * length + i] = integerValue(fieldToCode(fields[i], params_), scale);
    }
}

std::optional<BlockCodes> IntegerFormat::blockCodes(std::span<const std::byte> packed,
                                                    MatrixShape shape, uint64_t row,
                                                    uint64_t block) const {
    const uint64_t length = checkBlockArguments(*this, packed, shape, row, block);
    std::vector<uint8_t> fields;
    const IntegerScale scale =
        readUnit(packed, shape, row * (shape.rowLength / length) + block, fields);
    BlockCodes result;
    for (uint32_t field = 0; field < (1u << params_.bits); ++field)
        result.levels.push_back(integerValue(fieldToCode(uint8_t(field), params_), scale));
    result.codes.assign(fields.begin(), fields.end());
    result.parameters.emplace_back("scale", scale.scale);
    if (!params_.symmetric)
        result.parameters.emplace_back("zero", scale.zero);
    return result;
}

std::shared_ptr<const Format> makeIntegerFormat(std::string_view id) {
    if (!id.starts_with("int"))
        return nullptr;
    const auto malformed = [&](const std::string& problem) {
        return Error("format id '" + std::string(id) + "': " + problem +
                     " (expected int{2..8}-{g{G}|ch|tensor}-{sym|asym}[-fp32][-mse])");
    };
    const std::vector<std::string_view> parts = splitDashes(id);
    if (parts.size() < 3 || parts.size() > 5)
        throw malformed("wrong number of parts");
    IntegerParams params;
    uint64_t bits = 0;
    if (!parseNumber(parts[0].substr(3), bits) || bits < 2 || bits > 8)
        throw malformed("bits must be 2..8");
    params.bits = unsigned(bits);
    if (parts[1] == "ch") {
        params.granularity = IntegerGranularity::Channel;
    } else if (parts[1] == "tensor") {
        params.granularity = IntegerGranularity::Tensor;
    } else if (parts[1].starts_with("g") && parseNumber(parts[1].substr(1), params.groupSize) &&
               params.groupSize <= kMaxGroupSize) {
        params.granularity = IntegerGranularity::Group;
    } else {
        throw malformed("granularity must be gG (G = 1.." + std::to_string(kMaxGroupSize) +
                        "), ch or tensor");
    }
    if (parts[2] != "sym" && parts[2] != "asym")
        throw malformed("expected sym or asym");
    params.symmetric = parts[2] == "sym";
    size_t next = 3;
    if (next < parts.size() && parts[next] == "fp32") {
        params.fp32Scale = true;
        ++next;
    }
    if (next < parts.size() && parts[next] == "mse") {
        params.mseSearch = true;
        ++next;
    }
    if (next != parts.size())
        throw malformed("unknown suffix '" + std::string(parts[next]) + "'");
    return std::make_shared<IntegerFormat>(params);
}

std::vector<std::string> integerFormatIds() {
    std::vector<std::string> ids;
    for (bool mse : {false, true})
        for (unsigned bits = 8; bits >= 2; --bits)
            for (bool symmetric : {true, false}) {
                IntegerParams params;
                params.bits = bits;
                params.symmetric = symmetric;
                params.mseSearch = mse;
                for (unsigned group : kListedGroups) {
                    params.groupSize = group;
                    ids.push_back(IntegerFormat(params).id());
                }
                for (IntegerGranularity granularity :
                     {IntegerGranularity::Channel, IntegerGranularity::Tensor}) {
                    params.granularity = granularity;
                    ids.push_back(IntegerFormat(params).id());
                }
            }
    return ids;
}

} // namespace bitlens

// SPDX-License-Identifier: MIT
#include "core/quant/FiniteCheck.h"

#include "core/util/Error.h"

#include <bit>
#include <string>

namespace bitlens {
namespace {

bool isNonFinite(float value) {
    return (std::bit_cast<uint32_t>(value) & 0x7f800000u) == 0x7f800000u;
}

std::string describe(float value) {
    const uint32_t bits = std::bit_cast<uint32_t>(value);
    if ((bits & 0x007fffffu) != 0)
        return "nan";
    return (bits >> 31) ? "-inf" : "inf";
}

} // namespace

NonFiniteCount countNonFinite(std::span<const float> values) {
    NonFiniteCount result;
    for (uint64_t i = 0; i < values.size(); ++i) {
        if (!isNonFinite(values[i]))
            continue;
        if (result.count == 0) {
            result.firstIndex = i;
            result.firstValue = values[i];
        }
        ++result.count;
    }
    return result;
}

void requireFinite(std::span<const float> values, std::string_view tensorName) {
    const NonFiniteCount found = countNonFinite(values);
    if (found.count == 0)
        return;
    throw Error("tensor '" + std::string(tensorName) + "' holds " + std::to_string(found.count) +
                " non-finite value" + (found.count == 1 ? "" : "s") +
                " (first: " + describe(found.firstValue) + " at index " +
                std::to_string(found.firstIndex) + "); it cannot be quantized");
}

} // namespace bitlens

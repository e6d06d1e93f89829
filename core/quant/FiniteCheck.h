// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

// Quantizers require finite input: the pipeline checks every tensor before quantizing it.
namespace bitlens {

struct NonFiniteCount {
    uint64_t count = 0;      // NaN and +-infinity values
    uint64_t firstIndex = 0; // flat index of the first one (meaningful when count > 0)
    float firstValue = 0.0f;
};

// Classifies by the float32 bits, so it also works under -ffast-math.
NonFiniteCount countNonFinite(std::span<const float> values);

// Throws Error "tensor 'NAME' holds 3 non-finite values (first: nan at index 17); it cannot be
// quantized" when any value is NaN or infinite.
void requireFinite(std::span<const float> values, std::string_view tensorName);

} // namespace bitlens

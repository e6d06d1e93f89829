// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace bitlens {

// NaN and infinity census of a float array.
struct FiniteCheck {
    uint64_t nonFiniteCount = 0;
    uint64_t firstIndex = 0; // index of the first NaN/Inf; meaningful when nonFiniteCount > 0
    bool allFinite() const { return nonFiniteCount == 0; }
};

FiniteCheck checkFinite(std::span<const float> values);

// "3 NaN/Inf values (first at row 2, column 17)" for a row-major matrix of `rowLength` columns.
std::string describeNonFinite(const FiniteCheck& check, uint64_t rowLength);

} // namespace bitlens

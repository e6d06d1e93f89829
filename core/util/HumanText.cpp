// SPDX-License-Identifier: MIT
#include "core/util/HumanText.h"

#include <array>
#include <cstdio>

namespace bitlens {

std::string shapeText(const std::vector<uint64_t>& shape) {
    std::string text = "[";
    for (size_t i = 0; i < shape.size(); ++i) {
        if (i > 0)
            text += ", ";
        text += std::to_string(shape[i]);
    }
    return text + "]";
}

std::string byteSizeText(uint64_t bytes) {
    if (bytes < 1024)
        return std::to_string(bytes) + " B";
    static constexpr std::array<const char*, 6> kUnits = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    double value = double(bytes) / 1024.0;
    size_t unit = 0;
    // Move up before printing so that 1023.96 KiB reads "1.0 MiB", not "1024.0 KiB".
    while (value >= 1023.95 && unit + 1 < kUnits.size()) {
        value /= 1024.0;
        ++unit;
    }
    char text[32];
    std::snprintf(text, sizeof text, "%.1f %s", value, kUnits[unit]);
    return text;
}

} // namespace bitlens

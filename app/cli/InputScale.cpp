// SPDX-License-Identifier: MIT
#include "cli/InputScale.h"

#include <cmath>
#include <cstdlib>

namespace bitlens::cli {

std::optional<float> parseInputScale(const std::string& text) {
    auto number = [](const std::string& part) -> std::optional<double> {
        char* end = nullptr;
        const double value = std::strtod(part.c_str(), &end);
        if (part.empty() || end != part.c_str() + part.size() || !std::isfinite(value))
            return std::nullopt;
        return value;
    };
    const size_t slash = text.find('/');
    const std::optional<double> numerator = number(text.substr(0, slash));
    const std::optional<double> denominator =
        slash == std::string::npos ? std::optional<double>(1.0) : number(text.substr(slash + 1));
    if (!numerator || !denominator || *denominator == 0)
        return std::nullopt;
    const double scale = *numerator / *denominator;
    if (!(scale > 0) || !std::isfinite(float(scale)))
        return std::nullopt;
    return float(scale);
}

} // namespace bitlens::cli

// SPDX-License-Identifier: MIT
#pragma once

#include <optional>
#include <string>

namespace bitlens::cli {

// `--input-scale S`: a positive finite number, or a fraction "a/b" of two ("1/255"); nullopt for
// anything else.
std::optional<float> parseInputScale(const std::string& text);

} // namespace bitlens::cli

// SPDX-License-Identifier: MIT
#pragma once

#include <string_view>

namespace bitlens {

// True when the bytes are valid UTF-8 (no overlongs, no surrogates, at most U+10FFFF).
bool isValidUtf8(std::string_view text);

} // namespace bitlens

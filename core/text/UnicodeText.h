// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace bitlens {

// One character of UTF-8 text as tokenizers walk it. An invalid or truncated sequence yields a
// one-byte character with codepoint kInvalidCodepoint, so no input byte is ever lost.
struct Utf8Char {
    uint32_t codepoint = 0;
    size_t length = 1; // bytes, 1 to 4
};
inline constexpr uint32_t kInvalidCodepoint = 0xFFFFFFFF;

// The character that starts at text[offset]; offset must be below text.size().
Utf8Char utf8CharAt(std::string_view text, size_t offset);

// Appends the UTF-8 form of a codepoint (at most U+10FFFF).
void appendUtf8(std::string& out, uint32_t codepoint);

// Unicode facts the pre-tokenizer regexes ask (\p{L}, \p{N}, \s), from ICU's character database.
// The invalid codepoint is none of them.
bool isUnicodeLetter(uint32_t codepoint);     // general category L*
bool isUnicodeNumber(uint32_t codepoint);     // general category N*
bool isUnicodeWhitespace(uint32_t codepoint); // the White_Space property

// Unicode normalization form C of valid UTF-8 text; text that is not valid UTF-8 is returned as is.
std::string nfcNormalized(std::string_view text);

} // namespace bitlens

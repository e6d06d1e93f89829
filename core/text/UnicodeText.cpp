// SPDX-License-Identifier: MIT
#include "core/text/UnicodeText.h"

#include "core/util/Error.h"
#include "core/util/Utf8.h"

#include <climits>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

namespace bitlens {

Utf8Char utf8CharAt(std::string_view text, size_t offset) {
    const auto lead = static_cast<unsigned char>(text[offset]);
    if (lead < 0x80)
        return {lead, 1};
    const size_t length = (lead & 0xe0) == 0xc0   ? 2
                          : (lead & 0xf0) == 0xe0 ? 3
                          : (lead & 0xf8) == 0xf0 ? 4
                                                  : 0;
    if (length == 0 || offset + length > text.size() || !isValidUtf8(text.substr(offset, length)))
        return {kInvalidCodepoint, 1};
    uint32_t codepoint = lead & (0x7f >> length);
    for (size_t k = 1; k < length; ++k)
        codepoint = (codepoint << 6) | (static_cast<unsigned char>(text[offset + k]) & 0x3f);
    return {codepoint, length};
}

void appendUtf8(std::string& out, uint32_t codepoint) {
    if (codepoint < 0x80) {
        out += char(codepoint);
    } else if (codepoint < 0x800) {
        out += char(0xc0 | (codepoint >> 6));
        out += char(0x80 | (codepoint & 0x3f));
    } else if (codepoint < 0x10000) {
        out += char(0xe0 | (codepoint >> 12));
        out += char(0x80 | ((codepoint >> 6) & 0x3f));
        out += char(0x80 | (codepoint & 0x3f));
    } else {
        out += char(0xf0 | (codepoint >> 18));
        out += char(0x80 | ((codepoint >> 12) & 0x3f));
        out += char(0x80 | ((codepoint >> 6) & 0x3f));
        out += char(0x80 | (codepoint & 0x3f));
    }
}

bool isUnicodeLetter(uint32_t codepoint) {
    return codepoint <= 0x10ffff && (U_GET_GC_MASK(UChar32(codepoint)) & U_GC_L_MASK) != 0;
}

bool isUnicodeNumber(uint32_t codepoint) {
    return codepoint <= 0x10ffff && (U_GET_GC_MASK(UChar32(codepoint)) & U_GC_N_MASK) != 0;
}

bool isUnicodeWhitespace(uint32_t codepoint) {
    return codepoint <= 0x10ffff && u_isUWhiteSpace(UChar32(codepoint));
}

std::string nfcNormalized(std::string_view text) {
    if (!isValidUtf8(text))
        return std::string(text);
    if (text.size() > size_t(INT32_MAX))
        throw Error("text of " + std::to_string(text.size()) +
                    " bytes is too long to normalize (2 GiB at most)");
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(status);
    if (U_FAILURE(status))
        throw Error(std::string("ICU has no NFC normalizer: ") + u_errorName(status));
    const icu::UnicodeString source =
        icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(), int32_t(text.size())));
    const icu::UnicodeString normalized = nfc->normalize(source, status);
    if (U_FAILURE(status))
        throw Error(std::string("NFC normalization failed: ") + u_errorName(status));
    std::string out;
    normalized.toUTF8String(out);
    return out;
}

} // namespace bitlens

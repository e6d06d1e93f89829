// SPDX-License-Identifier: MIT
#include "core/text/PreTokenizer.h"

#include "core/text/UnicodeText.h"

namespace bitlens {
namespace {

constexpr std::string_view kGpt2Regex =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";
constexpr std::string_view kLlama3Regex =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
constexpr std::string_view kQwen2Regex =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

// The text as characters with their classes, so that the matchers can look ahead freely.
class CharScan {
public:
    explicit CharScan(std::string_view text) : text_(text) {
        for (size_t at = 0; at < text.size();) {
            const Utf8Char c = utf8CharAt(text, at);
            chars_.push_back({at, c.codepoint, isUnicodeLetter(c.codepoint),
                              isUnicodeNumber(c.codepoint), isUnicodeWhitespace(c.codepoint)});
            at += c.length;
        }
    }

    size_t size() const { return chars_.size(); }
    // Past the end every question answers false and the codepoint is 0.
    uint32_t codepoint(size_t i) const { return i < size() ? chars_[i].codepoint : 0; }
    bool letter(size_t i) const { return i < size() && chars_[i].letter; }
    bool number(size_t i) const { return i < size() && chars_[i].number; }
    bool space(size_t i) const { return i < size() && chars_[i].space; }
    bool other(size_t i) const { return i < size() && !letter(i) && !number(i) && !space(i); }
    bool newline(size_t i) const { return codepoint(i) == '\r' || codepoint(i) == '\n'; }
    size_t byteOffset(size_t i) const { return i < size() ? chars_[i].offset : text_.size(); }
    std::string_view slice(size_t begin, size_t end) const {
        return text_.substr(byteOffset(begin), byteOffset(end) - byteOffset(begin));
    }

private:
    struct Char {
        size_t offset;
        uint32_t codepoint;
        bool letter, number, space;
    };
    std::string_view text_;
    std::vector<Char> chars_;
};

uint32_t lowerAscii(uint32_t c) {
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

// Length of a contraction ('s 't 're 've 'm 'll 'd) at i, 0 when there is none.
size_t contractionAt(const CharScan& scan, size_t i, bool ignoreCase) {
    if (scan.codepoint(i) != '\'')
        return 0;
    const auto at = [&](size_t k) {
        return ignoreCase ? lowerAscii(scan.codepoint(i + k)) : scan.codepoint(i + k);
    };
    if (at(1) == 's' || at(1) == 't' || at(1) == 'm' || at(1) == 'd')
        return 2;
    if ((at(1) == 'r' && at(2) == 'e') || (at(1) == 'v' && at(2) == 'e') ||
        (at(1) == 'l' && at(2) == 'l'))
        return 3;
    return 0;
}

// \s+(?!\S)|\s+ at a whitespace character i: the run, less its last character when a
// non-space follows and the run is longer than one.
size_t whitespaceRunAt(const CharScan& scan, size_t i) {
    size_t end = i;
    while (scan.space(end))
        ++end;
    if (end < scan.size() && end - i > 1)
        --end;
    return end - i;
}

size_t gpt2WordAt(const CharScan& scan, size_t i) {
    if (const size_t n = contractionAt(scan, i, false))
        return n;
    const size_t body = scan.codepoint(i) == ' ' ? i + 1 : i;
    size_t end = body;
    if (scan.letter(body)) {
        while (scan.letter(end))
            ++end;
        return end - i;
    }
    if (scan.number(body)) {
        while (scan.number(end))
            ++end;
        return end - i;
    }
    if (scan.other(body)) {
        while (scan.other(end))
            ++end;
        return end - i;
    }
    return whitespaceRunAt(scan, i);
}

size_t llama3WordAt(const CharScan& scan, size_t i, size_t maxDigits) {
    if (const size_t n = contractionAt(scan, i, true))
        return n;
    // [^\r\n\p{L}\p{N}]?\p{L}+
    const bool optionalPrefix = !scan.newline(i) && !scan.letter(i) && !scan.number(i);
    if (scan.letter(i) || (optionalPrefix && scan.letter(i + 1))) {
        size_t end = i + 1;
        while (scan.letter(end))
            ++end;
        return end - i;
    }
    // \p{N}{1,maxDigits}
    if (scan.number(i)) {
        size_t end = i;
        while (scan.number(end) && end - i < maxDigits)
            ++end;
        return end - i;
    }
    //  ?[^\s\p{L}\p{N}]+[\r\n]*
    const size_t body = scan.codepoint(i) == ' ' ? i + 1 : i;
    if (scan.other(body)) {
        size_t end = body;
        while (scan.other(end))
            ++end;
        while (scan.newline(end))
            ++end;
        return end - i;
    }
    // \s*[\r\n]+: the whitespace run up to and including its last line break
    size_t runEnd = i;
    size_t lastBreak = 0;
    bool hasBreak = false;
    for (; scan.space(runEnd); ++runEnd) {
        if (scan.newline(runEnd)) {
            lastBreak = runEnd;
            hasBreak = true;
        }
    }
    if (hasBreak)
        return lastBreak + 1 - i;
    return whitespaceRunAt(scan, i);
}

} // namespace

std::optional<PreTokenizer> preTokenizerFromGgufName(std::string_view name) {
    if (name == "default" || name == "gpt-2")
        return PreTokenizer::Gpt2;
    if (name == "llama-bpe")
        return PreTokenizer::Llama3;
    if (name == "qwen2")
        return PreTokenizer::Qwen2;
    return std::nullopt;
}

std::optional<PreTokenizer> preTokenizerFromRegex(std::string_view regex) {
    if (regex == kGpt2Regex)
        return PreTokenizer::Gpt2;
    if (regex == kLlama3Regex)
        return PreTokenizer::Llama3;
    if (regex == kQwen2Regex)
        return PreTokenizer::Qwen2;
    return std::nullopt;
}

std::vector<std::string_view> splitWords(std::string_view text, PreTokenizer pattern) {
    const CharScan scan(text);
    std::vector<std::string_view> words;
    for (size_t i = 0; i < scan.size();) {
        size_t length = pattern == PreTokenizer::Gpt2     ? gpt2WordAt(scan, i)
                        : pattern == PreTokenizer::Llama3 ? llama3WordAt(scan, i, 3)
                                                          : llama3WordAt(scan, i, 1);
        words.push_back(scan.slice(i, i + length));
        i += length;
    }
    return words;
}

} // namespace bitlens

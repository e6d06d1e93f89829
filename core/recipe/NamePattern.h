// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <regex>
#include <string>
#include <string_view>

namespace bitlens {

enum class PatternKind : uint8_t {
    Glob,  // the whole name: '*' any run of characters (dots included), '?' one character
    Regex, // ECMAScript, searched anywhere in the name (anchor with ^...$ for a whole match)
};

std::string_view patternKindName(PatternKind kind); // "glob", "regex"

// A tensor-name pattern of a recipe rule or a CLI filter.
class NamePattern {
public:
    // Throws Error quoting the pattern when a regex does not compile.
    NamePattern(PatternKind kind, std::string text);

    PatternKind kind() const { return kind_; }
    const std::string& text() const { return text_; }
    bool matches(std::string_view name) const;

private:
    PatternKind kind_;
    std::string text_;
    std::regex regex_;
};

bool globMatches(std::string_view pattern, std::string_view name);

} // namespace bitlens

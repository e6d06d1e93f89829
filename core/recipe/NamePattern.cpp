// SPDX-License-Identifier: MIT
#include "core/recipe/NamePattern.h"

#include "core/util/Error.h"

namespace bitlens {

std::string_view patternKindName(PatternKind kind) {
    return kind == PatternKind::Glob ? "glob" : "regex";
}

NamePattern::NamePattern(PatternKind kind, std::string text) : kind_(kind), text_(std::move(text)) {
    if (kind_ != PatternKind::Regex)
        return;
    try {
        regex_ = std::regex(text_, std::regex::ECMAScript);
    } catch (const std::regex_error& error) {
        throw Error("bad regex '" + text_ + "': " + error.what());
    }
}

bool NamePattern::matches(std::string_view name) const {
    if (kind_ == PatternKind::Glob)
        return globMatches(text_, name);
    return std::regex_search(name.begin(), name.end(), regex_);
}

bool globMatches(std::string_view pattern, std::string_view name) {
    // Greedy matching with backtracking to the last '*': linear in practice, never exponential.
    size_t p = 0, n = 0;
    size_t starPattern = std::string_view::npos, starName = 0;
    while (n < name.size()) {
        if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == name[n])) {
            ++p;
            ++n;
        } else if (p < pattern.size() && pattern[p] == '*') {
            starPattern = p++;
            starName = n;
        } else if (starPattern != std::string_view::npos) {
            p = starPattern + 1;
            n = ++starName;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*')
        ++p;
    return p == pattern.size();
}

} // namespace bitlens

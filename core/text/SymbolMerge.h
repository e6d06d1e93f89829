// SPDX-License-Identifier: MIT
#pragma once

#include <functional>
#include <optional>
#include <string_view>
#include <vector>

namespace bitlens {

// The priority of merging two adjacent pieces into one (higher merges first), or nullopt when
// the pair never merges.
using MergePriority =
    std::function<std::optional<double>(std::string_view left, std::string_view right)>;

// The pieces of `word` after merging, starting from one piece per UTF-8 character (an invalid
// byte is a piece of its own), repeatedly the adjacent pair of highest priority, the leftmost of
// equal ones. This is the loop shared by SentencePiece (priority: score of the merged token) and
// BPE (priority: minus the merge rank). The pieces view into `word`.
std::vector<std::string_view> mergeSymbols(std::string_view word, const MergePriority& priority);

} // namespace bitlens

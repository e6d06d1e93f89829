// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace bitlens {

// A tokenizer's vocabulary as a plain value: token i is tokens[i] (raw bytes, not necessarily
// UTF-8) with merge score scores[i]. Both vectors have the same length.
struct Vocabulary {
    std::vector<std::string> tokens;
    std::vector<float> scores;
    uint32_t maxTokenLength = 0; // longest token in bytes

    size_t size() const { return tokens.size(); }
};

} // namespace bitlens

// SPDX-License-Identifier: MIT
#pragma once

#include "core/eval/LlamaEngine.h"
#include "core/text/Tokenizer.h"

#include <string>
#include <utility>
#include <vector>

namespace bitlens::test {

// The text of `count` greedy tokens a model generates from BOS, as the tokenizer decodes them
// (stops early at EOS).
inline std::string greedyStoryFromBos(LlamaRunner& model, const Tokenizer& tokenizer,
                                      uint64_t count) {
    const std::vector<int32_t> story =
        generateTokens(model, std::vector<int32_t>{tokenizer.bos()}, count, {}, tokenizer.eos());
    std::string text;
    int32_t previous = tokenizer.bos();
    for (int32_t token : story)
        text += tokenizer.decode(std::exchange(previous, token), token);
    return text;
}

} // namespace bitlens::test

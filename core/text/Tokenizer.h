// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace bitlens {

// Text to token ids and back, for a language model's vocabulary. Implementations are immutable
// after construction, so one tokenizer serves many threads.
class Tokenizer {
public:
    virtual ~Tokenizer() = default;

    // Token ids of `text` (UTF-8), without BOS/EOS: callers add those where their protocol says.
    virtual std::vector<int32_t> encode(std::string_view text) const = 0;
    // The bytes token `id` stands for when printed (byte tokens give their byte, the word
    // boundary marker a space). `previous` is the token before it (-1 at the start): a
    // SentencePiece vocabulary drops the leading space of the first piece after BOS.
    virtual std::string decode(int32_t previous, int32_t id) const = 0;

    virtual int32_t bos() const = 0; // -1 when the vocabulary has none
    virtual int32_t eos() const = 0; // -1 when the vocabulary has none
    virtual size_t vocabSize() const = 0;
};

} // namespace bitlens

// SPDX-License-Identifier: MIT
#pragma once

#include "core/text/TokenTable.h"
#include "core/text/Tokenizer.h"

#include <string>

namespace bitlens {

inline constexpr std::string_view kSentencePieceSpace = "\xE2\x96\x81"; // U+2581

struct SentencePieceOptions {
    // A space before each run of plain text (GGUF tokenizer.ggml.add_space_prefix, SentencePiece's
    // dummy prefix); decoding then drops the leading space at the start of text.
    bool addSpacePrefix = true;
    // What the vocabulary writes for a space: U+2581, or a plain space in llama2.c's tokenizer.bin.
    std::string spaceMarker = std::string(kSentencePieceSpace);
};

// llama.cpp's SentencePiece (SPM) tokenizer: spaces become the marker, then starting from single
// characters the adjacent pair whose concatenation is the best-scoring token merges first (the
// leftmost of equal scores); a final piece with no token falls back to its <0xXX> byte tokens,
// or the unknown token when the vocabulary has no byte tokens. Verbatim tokens of the table are
// cut out of the text first.
class SentencePieceTokenizer : public Tokenizer {
public:
    SentencePieceTokenizer(TokenTable table, SentencePieceOptions options);

    std::vector<int32_t> encode(std::string_view text) const override;
    std::string decode(int32_t previous, int32_t id) const override;
    int32_t bos() const override { return table_.special().bos; }
    int32_t eos() const override { return table_.special().eos; }
    size_t vocabSize() const override { return table_.size(); }

private:
    void encodePlain(std::string_view text, std::vector<int32_t>& out) const;

    TokenTable table_;
    SentencePieceOptions options_;
};

} // namespace bitlens

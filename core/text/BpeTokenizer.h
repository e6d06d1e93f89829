// SPDX-License-Identifier: MIT
#pragma once

#include "core/text/PreTokenizer.h"
#include "core/text/TokenTable.h"
#include "core/text/Tokenizer.h"

#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace bitlens {

// Which of the two BPE families a vocabulary belongs to.
enum class BpeStyle {
    // GPT-2 style (Llama 3, Qwen2): text split into words by a pre-tokenizer regex, each word's
    // bytes written as the printable characters of GPT-2's byte-to-unicode table.
    ByteLevel,
    // SentencePiece style (Llama 2, Mistral tokenizer.json): spaces become U+2581, unknown
    // pieces fall back to <0xXX> byte tokens.
    SentencePiece,
};

// Where a SentencePiece-style BPE puts a U+2581 before a run of plain text.
enum class SpacePrefix { None, FirstFragment, EveryFragment };

struct BpeOptions {
    BpeStyle style = BpeStyle::ByteLevel;
    PreTokenizer preTokenizer = PreTokenizer::Gpt2; // ByteLevel only
    bool ignoreMerges = false;                      // a word that is a token stays whole
    bool nfc = false;                               // NFC-normalize plain text first
    SpacePrefix spacePrefix = SpacePrefix::None;    // SentencePiece only
    bool splitAtSpaces = false; // SentencePiece only: each U+2581 starts a new word
    bool byteFallback = true;   // SentencePiece only: else the unknown token
};

// Byte-pair encoding with ranked merges: within each word, the adjacent pair with the lowest
// merge rank merges first (the leftmost of equal ranks) until no listed pair is left. Verbatim
// tokens of the table are cut out of the text first.
class BpeTokenizer : public Tokenizer {
public:
    // `merges` in rank order: pairs of token texts. Throws Error when a byte-level vocabulary
    // lacks the character of a byte, or the special ids are inconsistent (see TokenTable).
    BpeTokenizer(TokenTable table, const std::vector<std::pair<std::string, std::string>>& merges,
                 BpeOptions options);

    std::vector<int32_t> encode(std::string_view text) const override;
    std::string decode(int32_t previous, int32_t id) const override;
    int32_t bos() const override { return table_.special().bos; }
    int32_t eos() const override { return table_.special().eos; }
    size_t vocabSize() const override { return table_.size(); }

private:
    struct TransparentHash {
        using is_transparent = void;
        size_t operator()(std::string_view text) const {
            return std::hash<std::string_view>{}(text);
        }
    };

    void encodePlain(std::string_view text, bool atTextStart, std::vector<int32_t>& out) const;
    void encodeWord(std::string_view word, std::vector<int32_t>& out) const;

    TokenTable table_;
    BpeOptions options_;
    // "left\xFFright" (0xFF never occurs in UTF-8 token texts) -> rank.
    std::unordered_map<std::string, uint32_t, TransparentHash, std::equal_to<>> ranks_;
};

// GPT-2's byte-to-unicode table: the printable character standing for each byte in byte-level
// vocabularies, as UTF-8.
const std::string& byteLevelCharacter(uint8_t byte);

} // namespace bitlens

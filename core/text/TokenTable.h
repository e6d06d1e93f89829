// SPDX-License-Identifier: MIT
#pragma once

#include "core/text/Vocabulary.h"

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace bitlens {

// What a token is, in llama.cpp's terms (GGUF tokenizer.ggml.token_type stores these plus one).
enum class TokenType : uint8_t { Normal, Unknown, Control, UserDefined, Unused, Byte };

// The type a vocabulary without stored types implies for a token text: <unk> Unknown, <s> and
// </s> Control, <0xXX> (two upper-case hex digits) Byte, anything else Normal.
TokenType inferredTokenType(std::string_view text);

struct SpecialTokenIds {
    int32_t bos = -1;
    int32_t eos = -1;
    int32_t unknown = -1;
};

// One run of input text: plain text for the model's algorithm, or a token matched verbatim.
struct TextFragment {
    std::string_view text;
    int32_t token = -1; // -1 for plain text
};

// A vocabulary prepared for encoding and decoding: token texts, scores and types, the id of every
// text, the byte tokens and the special ids. Immutable after construction.
class TokenTable {
public:
    // `types` has one entry per token. `verbatim` lists tokens that are cut out of input text
    // wherever their text occurs, before the model's algorithm runs (added or user-defined
    // tokens). Throws Error for a types/scores size that differs from the vocabulary, an empty
    // vocabulary, or a special or verbatim id outside it.
    TokenTable(Vocabulary vocabulary, std::vector<TokenType> types, SpecialTokenIds special,
               const std::vector<int32_t>& verbatim);

    size_t size() const { return vocabulary_.size(); }
    const std::string& text(int32_t id) const { return vocabulary_.tokens[size_t(id)]; }
    float score(int32_t id) const { return vocabulary_.scores[size_t(id)]; }
    TokenType type(int32_t id) const { return types_[size_t(id)]; }
    const SpecialTokenIds& special() const { return special_; }

    // The id of a token text, -1 when absent. Of duplicate texts the last id wins, as in llama.cpp.
    int32_t find(std::string_view text) const;
    // The byte a Byte token stands for, -1 for any other token.
    int byteValue(int32_t id) const;

    // Throws Error when id is outside the vocabulary.
    void checkId(int32_t id) const;

    // Text cut at every verbatim token, leftmost match first and the longest of those.
    std::vector<TextFragment> splitVerbatim(std::string_view text) const;

    // Appends the token of `piece`, else its byte tokens when `byteFallback` and every byte has
    // one, else the unknown token once. Throws Error when none of those exists.
    void appendPiece(std::string_view piece, bool byteFallback, std::vector<int32_t>& out) const;

    // The printed text of a token of a SentencePiece vocabulary: byte tokens their byte, control
    // tokens nothing, others their text with `spaceMarker` turned into spaces. The leading space
    // is dropped at the start of text (previous -1 or BOS) when `dropLeadingSpace`.
    std::string decodeMarked(int32_t previous, int32_t id, std::string_view spaceMarker,
                             bool dropLeadingSpace) const;

private:
    struct TransparentHash {
        using is_transparent = void;
        size_t operator()(std::string_view text) const {
            return std::hash<std::string_view>{}(text);
        }
    };

    Vocabulary vocabulary_;
    std::vector<TokenType> types_;
    SpecialTokenIds special_;
    std::unordered_map<std::string, int32_t, TransparentHash, std::equal_to<>> ids_;
    std::array<int32_t, 256> byteTokens_{}; // the <0xXX> token of type Byte per byte, or -1
    // Verbatim tokens by their first byte, longest text first.
    std::array<std::vector<int32_t>, 256> verbatimByFirstByte_;
};

} // namespace bitlens

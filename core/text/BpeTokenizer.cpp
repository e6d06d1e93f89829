// SPDX-License-Identifier: MIT
#include "core/text/BpeTokenizer.h"

#include "core/text/SentencePieceTokenizer.h"
#include "core/text/SymbolMerge.h"
#include "core/text/UnicodeText.h"
#include "core/util/Error.h"

#include <array>

namespace bitlens {
namespace {

// GPT-2's table: printable Latin-1 bytes stand for themselves, the others (controls, space,
// DEL, NBSP, soft hyphen) for U+0100 onwards in byte order.
struct ByteLevelTable {
    std::array<std::string, 256> characters;
    std::array<int, 0x200> byteOfCodepoint{}; // -1 where a codepoint stands for no byte

    ByteLevelTable() {
        byteOfCodepoint.fill(-1);
        uint32_t next = 0x100;
        for (uint32_t byte = 0; byte < 256; ++byte) {
            const bool printable =
                (byte >= '!' && byte <= '~') || (byte >= 0xa1 && byte <= 0xac) || (byte >= 0xae);
            const uint32_t codepoint = printable ? byte : next++;
            appendUtf8(characters[byte], codepoint);
            byteOfCodepoint[codepoint] = int(byte);
        }
    }
};

const ByteLevelTable& byteLevelTable() {
    static const ByteLevelTable table;
    return table;
}

} // namespace

const std::string& byteLevelCharacter(uint8_t byte) {
    return byteLevelTable().characters[byte];
}

BpeTokenizer::BpeTokenizer(TokenTable table,
                           const std::vector<std::pair<std::string, std::string>>& merges,
                           BpeOptions options)
    : table_(std::move(table)), options_(options) {
    if (options_.style == BpeStyle::ByteLevel) {
        for (int byte = 0; byte < 256; ++byte)
            if (table_.find(byteLevelCharacter(uint8_t(byte))) < 0)
                throw Error("the byte-level vocabulary has no token for byte " +
                            std::to_string(byte) + " ('" + byteLevelCharacter(uint8_t(byte)) +
                            "')");
    }
    ranks_.reserve(merges.size());
    for (size_t rank = 0; rank < merges.size(); ++rank)
        ranks_.emplace(merges[rank].first + '\xff' + merges[rank].second, uint32_t(rank));
}

std::vector<int32_t> BpeTokenizer::encode(std::string_view text) const {
    std::vector<int32_t> ids;
    for (const TextFragment& fragment : table_.splitVerbatim(text)) {
        if (fragment.token >= 0)
            ids.push_back(fragment.token);
        else
            encodePlain(fragment.text, fragment.text.data() == text.data(), ids);
    }
    return ids;
}

void BpeTokenizer::encodePlain(std::string_view text, bool atTextStart,
                               std::vector<int32_t>& out) const {
    const std::string normalized = options_.nfc ? nfcNormalized(text) : std::string(text);
    if (options_.style == BpeStyle::ByteLevel) {
        std::string encoded;
        for (const std::string_view word : splitWords(normalized, options_.preTokenizer)) {
            encoded.clear();
            for (const char c : word)
                encoded += byteLevelCharacter(static_cast<unsigned char>(c));
            encodeWord(encoded, out);
        }
        return;
    }
    std::string escaped;
    const bool prefix = options_.spacePrefix == SpacePrefix::EveryFragment ||
                        (options_.spacePrefix == SpacePrefix::FirstFragment && atTextStart);
    if (prefix)
        escaped += kSentencePieceSpace;
    for (const char c : normalized) {
        if (c == ' ')
            escaped += kSentencePieceSpace;
        else
            escaped += c;
    }
    if (!options_.splitAtSpaces) {
        encodeWord(escaped, out);
        return;
    }
    const std::string_view all = escaped;
    size_t wordStart = 0;
    for (size_t at = all.find(kSentencePieceSpace, 1); at != std::string_view::npos;
         at = all.find(kSentencePieceSpace, at + 1)) {
        encodeWord(all.substr(wordStart, at - wordStart), out);
        wordStart = at;
    }
    if (wordStart < all.size())
        encodeWord(all.substr(wordStart), out);
}

void BpeTokenizer::encodeWord(std::string_view word, std::vector<int32_t>& out) const {
    if (word.empty())
        return;
    if (options_.ignoreMerges) {
        const int32_t whole = table_.find(word);
        if (whole >= 0) {
            out.push_back(whole);
            return;
        }
    }
    std::string key;
    const MergePriority byRank = [&](std::string_view left,
                                     std::string_view right) -> std::optional<double> {
        key.assign(left);
        key += '\xff';
        key.append(right);
        const auto found = ranks_.find(key);
        if (found == ranks_.end())
            return std::nullopt;
        return -double(found->second);
    };
    for (const std::string_view piece : mergeSymbols(word, byRank)) {
        if (options_.style == BpeStyle::SentencePiece) {
            table_.appendPiece(piece, options_.byteFallback, out);
            continue;
        }
        const int32_t id = table_.find(piece);
        if (id >= 0) {
            out.push_back(id);
            continue;
        }
        // Every byte character is a token (checked on construction).
        for (size_t at = 0; at < piece.size();) {
            const size_t length = utf8CharAt(piece, at).length;
            out.push_back(table_.find(piece.substr(at, length)));
            at += length;
        }
    }
}

std::string BpeTokenizer::decode(int32_t previous, int32_t id) const {
    if (options_.style == BpeStyle::SentencePiece)
        return table_.decodeMarked(previous, id, kSentencePieceSpace,
                                   options_.spacePrefix != SpacePrefix::None);
    table_.checkId(id);
    const int byte = table_.byteValue(id);
    if (byte >= 0)
        return std::string(1, char(byte));
    const TokenType type = table_.type(id);
    if (type == TokenType::Control)
        return {};
    const std::string& piece = table_.text(id);
    if (type == TokenType::UserDefined)
        return piece;
    std::string printed;
    for (size_t at = 0; at < piece.size();) {
        const Utf8Char c = utf8CharAt(piece, at);
        const int stood = c.codepoint < byteLevelTable().byteOfCodepoint.size()
                              ? byteLevelTable().byteOfCodepoint[c.codepoint]
                              : -1;
        if (stood >= 0)
            printed += char(stood);
        else
            printed.append(piece, at, c.length);
        at += c.length;
    }
    return printed;
}

} // namespace bitlens

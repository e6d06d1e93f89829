// SPDX-License-Identifier: MIT
#include "core/text/TokenTable.h"

#include "core/util/Error.h"

#include <algorithm>

namespace bitlens {
namespace {

int hexDigit(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

// The byte of a "<0xXX>" text, -1 for any other text.
int byteOfText(std::string_view text) {
    if (text.size() != 6 || text.substr(0, 3) != "<0x" || text[5] != '>')
        return -1;
    const int high = hexDigit(text[3]);
    const int low = hexDigit(text[4]);
    return high < 0 || low < 0 ? -1 : high * 16 + low;
}

void checkTableId(int32_t id, size_t size, const char* what) {
    if (id < -1 || (id >= 0 && size_t(id) >= size))
        throw Error(std::string(what) + " token id " + std::to_string(id) +
                    " is outside the vocabulary of " + std::to_string(size) + " tokens");
}

} // namespace

TokenType inferredTokenType(std::string_view text) {
    if (text == "<unk>")
        return TokenType::Unknown;
    if (text == "<s>" || text == "</s>")
        return TokenType::Control;
    return byteOfText(text) >= 0 ? TokenType::Byte : TokenType::Normal;
}

TokenTable::TokenTable(Vocabulary vocabulary, std::vector<TokenType> types, SpecialTokenIds special,
                       const std::vector<int32_t>& verbatim)
    : vocabulary_(std::move(vocabulary)), types_(std::move(types)), special_(special) {
    const size_t count = vocabulary_.size();
    if (count == 0)
        throw Error("the vocabulary is empty");
    if (vocabulary_.scores.size() != count || types_.size() != count)
        throw Error("the vocabulary has " + std::to_string(count) + " tokens but " +
                    std::to_string(vocabulary_.scores.size()) + " scores and " +
                    std::to_string(types_.size()) + " token types");
    checkTableId(special_.bos, count, "BOS");
    checkTableId(special_.eos, count, "EOS");
    checkTableId(special_.unknown, count, "unknown");
    ids_.reserve(count);
    byteTokens_.fill(-1);
    for (size_t id = 0; id < count; ++id) {
        ids_[vocabulary_.tokens[id]] = int32_t(id);
        const int byte = byteOfText(vocabulary_.tokens[id]);
        if (types_[id] == TokenType::Byte && byte >= 0 && byteTokens_[size_t(byte)] < 0)
            byteTokens_[size_t(byte)] = int32_t(id);
    }
    for (const int32_t id : verbatim) {
        if (id < 0 || size_t(id) >= count)
            throw Error("verbatim token id " + std::to_string(id) +
                        " is outside the vocabulary of " + std::to_string(count) + " tokens");
        const std::string& tokenText = text(id);
        if (!tokenText.empty())
            verbatimByFirstByte_[static_cast<unsigned char>(tokenText[0])].push_back(id);
    }
    for (auto& bucket : verbatimByFirstByte_)
        std::stable_sort(bucket.begin(), bucket.end(),
                         [this](int32_t a, int32_t b) { return text(a).size() > text(b).size(); });
}

int32_t TokenTable::find(std::string_view text) const {
    const auto found = ids_.find(text);
    return found == ids_.end() ? -1 : found->second;
}

int TokenTable::byteValue(int32_t id) const {
    return type(id) == TokenType::Byte ? byteOfText(text(id)) : -1;
}

void TokenTable::checkId(int32_t id) const {
    if (id < 0 || size_t(id) >= size())
        throw Error("token id " + std::to_string(id) + " is outside the vocabulary of " +
                    std::to_string(size()) + " tokens");
}

std::vector<TextFragment> TokenTable::splitVerbatim(std::string_view text) const {
    std::vector<TextFragment> fragments;
    size_t plainStart = 0;
    size_t at = 0;
    while (at < text.size()) {
        int32_t matched = -1;
        for (const int32_t id : verbatimByFirstByte_[static_cast<unsigned char>(text[at])]) {
            if (text.substr(at, this->text(id).size()) == this->text(id)) {
                matched = id;
                break;
            }
        }
        if (matched < 0) {
            ++at;
            continue;
        }
        if (at > plainStart)
            fragments.push_back({text.substr(plainStart, at - plainStart), -1});
        fragments.push_back({{}, matched});
        at += this->text(matched).size();
        plainStart = at;
    }
    if (plainStart < text.size())
        fragments.push_back({text.substr(plainStart), -1});
    return fragments;
}

void TokenTable::appendPiece(std::string_view piece, bool byteFallback,
                             std::vector<int32_t>& out) const {
    const int32_t id = find(piece);
    if (id >= 0) {
        out.push_back(id);
        return;
    }
    const bool bytesKnown = byteFallback && std::all_of(piece.begin(), piece.end(), [this](char c) {
                                return byteTokens_[static_cast<unsigned char>(c)] >= 0;
                            });
    if (bytesKnown) {
        for (const char c : piece)
            out.push_back(byteTokens_[static_cast<unsigned char>(c)]);
        return;
    }
    if (special_.unknown < 0)
        throw Error("the text piece '" + std::string(piece) +
                    "' has no token, no byte tokens and the vocabulary has no unknown token");
    out.push_back(special_.unknown);
}

std::string TokenTable::decodeMarked(int32_t previous, int32_t id, std::string_view spaceMarker,
                                     bool dropLeadingSpace) const {
    checkId(id);
    const int byte = byteValue(id);
    if (byte >= 0)
        return std::string(1, char(byte));
    if (type(id) == TokenType::Control)
        return {};
    std::string printed;
    const std::string& piece = text(id);
    for (size_t at = 0; at < piece.size();) {
        if (!spaceMarker.empty() && piece.compare(at, spaceMarker.size(), spaceMarker) == 0) {
            printed += ' ';
            at += spaceMarker.size();
        } else {
            printed += piece[at++];
        }
    }
    const bool atStart = previous < 0 || previous == special_.bos;
    if (dropLeadingSpace && atStart && !printed.empty() && printed[0] == ' ')
        printed.erase(0, 1);
    return printed;
}

} // namespace bitlens

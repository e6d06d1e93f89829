// SPDX-License-Identifier: MIT
#include "core/text/SentencePieceTokenizer.h"

#include "core/text/SymbolMerge.h"

namespace bitlens {

SentencePieceTokenizer::SentencePieceTokenizer(TokenTable table, SentencePieceOptions options)
    : table_(std::move(table)), options_(std::move(options)) {}

std::vector<int32_t> SentencePieceTokenizer::encode(std::string_view text) const {
    std::vector<int32_t> ids;
    for (const TextFragment& fragment : table_.splitVerbatim(text)) {
        if (fragment.token >= 0)
            ids.push_back(fragment.token);
        else
            encodePlain(fragment.text, ids);
    }
    return ids;
}

void SentencePieceTokenizer::encodePlain(std::string_view text, std::vector<int32_t>& out) const {
    std::string escaped;
    escaped.reserve(text.size() + 16);
    if (options_.addSpacePrefix)
        escaped += options_.spaceMarker;
    for (const char c : text) {
        if (c == ' ')
            escaped += options_.spaceMarker;
        else
            escaped += c;
    }
    std::string merged;
    const MergePriority byScore = [&](std::string_view left,
                                      std::string_view right) -> std::optional<double> {
        merged.assign(left);
        merged.append(right);
        const int32_t id = table_.find(merged);
        if (id < 0)
            return std::nullopt;
        return table_.score(id);
    };
    for (const std::string_view piece : mergeSymbols(escaped, byScore))
        table_.appendPiece(piece, true, out);
}

std::string SentencePieceTokenizer::decode(int32_t previous, int32_t id) const {
    return table_.decodeMarked(previous, id, options_.spaceMarker, options_.addSpacePrefix);
}

} // namespace bitlens

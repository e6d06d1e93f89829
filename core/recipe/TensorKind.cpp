// SPDX-License-Identifier: MIT
#include "core/recipe/TensorKind.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <vector>

namespace bitlens {
namespace {

constexpr std::array<std::string_view, 6> kKindNames = {"embedding", "attention", "mlp",
                                                        "norm",      "output",    "other"};

// Name segments that put the next, numeric segment in front of a block number.
constexpr std::array<std::string_view, 6> kBlockWords = {"blk",    "layers", "layer",
                                                         "blocks", "block",  "h"};

struct RoleWords {
    TensorRole role;
    std::array<std::string_view, 4> words; // whole segments; empty entries unused
};

// Whole segments that name a role. GGUF's "ffn_*" names also carry suffixes ("ffn_down_exps"),
// matched separately in roleOf.
constexpr std::array<RoleWords, 8> kRoleWords = {{
    {TensorRole::AttentionQ, {"attn_q", "q_proj", "wq", "query"}},
    {TensorRole::AttentionK, {"attn_k", "k_proj", "wk", "key"}},
    {TensorRole::AttentionV, {"attn_v", "v_proj", "wv", "value"}},
    {TensorRole::AttentionQkv, {"attn_qkv", "qkv_proj", "query_key_value", "c_attn"}},
    {TensorRole::AttentionOutput, {"attn_output", "o_proj", "wo", "out_proj"}},
    {TensorRole::MlpGate, {"ffn_gate", "gate_proj", "w1", ""}},
    {TensorRole::MlpUp, {"ffn_up", "up_proj", "w3", ""}},
    {TensorRole::MlpDown, {"ffn_down", "down_proj", "w2", ""}},
}};

std::vector<std::string> lowerSegments(std::string_view name) {
    std::vector<std::string> segments(1);
    for (char c : name) {
        if (c == '.' || c == '/' || c == ':') {
            segments.emplace_back();
            continue;
        }
        segments.back() += char(std::tolower(static_cast<unsigned char>(c)));
    }
    return segments;
}

bool isNumber(const std::string& text) {
    return !text.empty() && text.size() <= 9 && std::all_of(text.begin(), text.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c));
    });
}

std::optional<uint32_t> blockOf(const std::vector<std::string>& segments) {
    for (size_t i = 1; i < segments.size(); ++i)
        if (isNumber(segments[i]) &&
            std::find(kBlockWords.begin(), kBlockWords.end(), segments[i - 1]) != kBlockWords.end())
            return uint32_t(std::stoul(segments[i]));
    return std::nullopt;
}

// Meta's llama names use w1/w2/w3 under feed_forward and wq..wo under attention; the letters
// alone mean nothing elsewhere.
bool roleWordApplies(std::string_view word, const std::vector<std::string>& segments,
                     size_t index) {
    if (word.size() != 2 || word[0] != 'w')
        return true;
    return index > 0 &&
           (segments[index - 1] == "feed_forward" || segments[index - 1] == "attention");
}

TensorRole roleOf(const std::vector<std::string>& segments) {
    for (size_t i = 0; i < segments.size(); ++i) {
        const std::string& segment = segments[i];
        for (const RoleWords& entry : kRoleWords)
            for (std::string_view word : entry.words)
                if (!word.empty() && segment == word && roleWordApplies(word, segments, i))
                    return entry.role;
        for (const RoleWords& entry : kRoleWords)
            if (entry.words[0].starts_with("ffn_") && segment.starts_with(entry.words[0]) &&
                segment.size() > entry.words[0].size() && segment[entry.words[0].size()] == '_')
                return entry.role;
    }
    return TensorRole::None;
}

bool anySegmentContains(const std::vector<std::string>& segments, std::string_view word) {
    return std::any_of(segments.begin(), segments.end(), [word](const std::string& segment) {
        return segment.find(word) != std::string::npos;
    });
}

// Keras layer names are the layer type with an optional "_N" counter: "conv2d_1", "dense".
std::string kerasLayerType(const std::string& segment) {
    const size_t underscore = segment.rfind('_');
    if (underscore != std::string::npos && isNumber(segment.substr(underscore + 1)))
        return segment.substr(0, underscore);
    return segment;
}

TensorKind kindOf(const std::vector<std::string>& segments, TensorRole role,
                  std::optional<uint32_t> block) {
    if (anySegmentContains(segments, "norm") ||
        std::any_of(segments.begin(), segments.end(),
                    [](const std::string& s) { return s.starts_with("ln_") || s == "ln"; }))
        return TensorKind::Norm;
    if (anySegmentContains(segments, "embd") || anySegmentContains(segments, "embed") ||
        std::find(segments.begin(), segments.end(), "wte") != segments.end())
        return TensorKind::Embedding;
    if (!block && (segments.front() == "output" || segments.front() == "lm_head"))
        return TensorKind::Output;
    if (role >= TensorRole::AttentionQ && role <= TensorRole::AttentionOutput)
        return TensorKind::Attention;
    if (role >= TensorRole::MlpGate || anySegmentContains(segments, "ffn") ||
        anySegmentContains(segments, "mlp") || anySegmentContains(segments, "feed_forward"))
        return TensorKind::Mlp;
    if (anySegmentContains(segments, "attn") || anySegmentContains(segments, "attention"))
        return TensorKind::Attention;
    if (kerasLayerType(segments.front()) == "dense")
        return TensorKind::Mlp;
    return TensorKind::Other;
}

} // namespace

TensorClass classifyTensor(std::string_view name) {
    const std::vector<std::string> segments = lowerSegments(name);
    TensorClass result;
    result.block = blockOf(segments);
    result.role = roleOf(segments);
    result.kind = kindOf(segments, result.role, result.block);
    if (result.kind != TensorKind::Attention && result.kind != TensorKind::Mlp)
        result.role = TensorRole::None;
    return result;
}

std::string_view tensorKindName(TensorKind kind) {
    return kKindNames[size_t(kind)];
}

std::optional<TensorKind> tensorKindFromName(std::string_view name) {
    for (size_t i = 0; i < kKindNames.size(); ++i)
        if (kKindNames[i] == name)
            return TensorKind(i);
    return std::nullopt;
}

} // namespace bitlens

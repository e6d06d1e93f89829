// SPDX-License-Identifier: MIT
#include "core/recipe/RecipePresets.h"

#include "core/quant/FormatRegistry.h"
#include "core/recipe/TensorKind.h"
#include "core/util/Error.h"

#include <algorithm>
#include <set>

namespace bitlens {
namespace {

struct SingleFormatPreset {
    std::string_view name;
    std::string_view formatId;
};

constexpr SingleFormatPreset kSingleFormatPresets[] = {
    {"All Q8_0", "q8_0"}, {"All Q4_K", "q4_k"}, {"int4-g128", "int4-g128-asym"},
    {"NF4", "nf4"},       {"MXFP4", "mxfp4"},
};
constexpr std::string_view kQ4KMName = "Q4_K_M (llama.cpp mix)";

// llama.cpp's choice of layers that get more bits in its _M mixes.
bool useMoreBits(size_t index, size_t count) {
    const auto i = long(index), n = long(count);
    return i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2;
}

bool fits(const std::string& target, uint64_t rowLength) {
    return target == kKeep || makeFormat(target)->unsupportedReason(rowLength).empty();
}

// llama.cpp's tensor_type_fallback for the types this mix uses; keep stands for its F16.
std::string llamaCppFallback(const std::string& target, uint64_t rowLength) {
    if (fits(target, rowLength))
        return target;
    const std::string next = target == "q4_k" ? "q5_0" : target == "q6_k" ? "q8_0" : "";
    return !next.empty() && fits(next, rowLength) ? next : std::string(kKeep);
}

// Tensors of one role in llama.cpp's processing order: blocks ascending (its loader sorts
// weights by block number, then by name).
std::vector<size_t> inBlockOrder(const Checkpoint& checkpoint,
                                 const std::vector<TensorClass>& classes,
                                 std::initializer_list<TensorRole> roles) {
    std::vector<size_t> indices;
    for (size_t i = 0; i < classes.size(); ++i)
        if (checkpoint.tensors()[i].shape.size() >= 2 &&
            std::find(roles.begin(), roles.end(), classes[i].role) != roles.end())
            indices.push_back(i);
    std::stable_sort(indices.begin(), indices.end(), [&](size_t a, size_t b) {
        const uint32_t blockA = classes[a].block.value_or(0), blockB = classes[b].block.value_or(0);
        return blockA != blockB ? blockA < blockB
                                : checkpoint.tensors()[a].name < checkpoint.tensors()[b].name;
    });
    return indices;
}

Recipe q4kmPreset(const Checkpoint& checkpoint) {
    const std::vector<TensorInfo>& tensors = checkpoint.tensors();
    std::vector<TensorClass> classes;
    std::set<uint32_t> blocks;
    bool hasOutput = false;
    for (const TensorInfo& tensor : tensors) {
        classes.push_back(classifyTensor(tensor.name));
        if (classes.back().block)
            blocks.insert(*classes.back().block);
        hasOutput |= classes.back().kind == TensorKind::Output && tensor.shape.size() >= 2;
    }
    // llama.cpp's choice before its fallback, for tensors of two or more dimensions.
    std::vector<std::string> chosen(tensors.size(), "q4_k");
    for (size_t i = 0; i < tensors.size(); ++i) {
        const bool outputLike = classes[i].kind == TensorKind::Output ||
                                (!hasOutput && classes[i].kind == TensorKind::Embedding);
        if (outputLike)
            chosen[i] = quantizationShape(tensors[i]).rowLength % 256 != 0 ? "q8_0" : "q6_k";
    }
    const std::vector<size_t> values =
        inBlockOrder(checkpoint, classes, {TensorRole::AttentionV, TensorRole::AttentionQkv});
    for (size_t k = 0; k < values.size(); ++k)
        if (useMoreBits(k, values.size()))
            chosen[values[k]] = "q6_k";
    const std::vector<size_t> downs = inBlockOrder(checkpoint, classes, {TensorRole::MlpDown});
    for (size_t k = 0; k < downs.size(); ++k)
        if (useMoreBits(k, blocks.size()))
            chosen[downs[k]] = "q6_k";

    Recipe recipe;
    recipe.setDefault("q4_k");
    recipe.setFallback("q5_0");
    for (size_t i = 0; i < tensors.size(); ++i) {
        if (tensors[i].shape.size() < 2)
            continue;
        const uint64_t rowLength = quantizationShape(tensors[i]).rowLength;
        const std::string target = llamaCppFallback(chosen[i], rowLength);
        if (target != recipe.resolve(tensors[i]).target)
            recipe.setOverride(tensors[i].name, target);
    }
    return recipe;
}

} // namespace

std::vector<std::string> recipePresetNames() {
    std::vector<std::string> names;
    for (const SingleFormatPreset& preset : kSingleFormatPresets)
        names.emplace_back(preset.name);
    names.emplace_back(kQ4KMName);
    return names;
}

Recipe makeRecipePreset(const std::string& name, const Checkpoint& checkpoint) {
    for (const SingleFormatPreset& preset : kSingleFormatPresets)
        if (preset.name == name)
            return Recipe::singleFormat(std::string(preset.formatId));
    if (name == kQ4KMName)
        return q4kmPreset(checkpoint);
    throw Error("unknown recipe preset '" + name + "'");
}

} // namespace bitlens

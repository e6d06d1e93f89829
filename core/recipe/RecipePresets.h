// SPDX-License-Identifier: MIT
#pragma once

#include "core/io/Checkpoint.h"
#include "core/recipe/Recipe.h"

#include <string>
#include <vector>

namespace bitlens {

// Named starting points for a recipe, in the order the studio lists them: "All Q8_0",
// "All Q4_K", "int4-g128", "NF4", "MXFP4" (one format as the default, keep as the fallback) and
// "Q4_K_M (llama.cpp mix)".
std::vector<std::string> recipePresetNames();

// The preset's recipe for this checkpoint. Throws Error for an unknown name.
//
// "Q4_K_M (llama.cpp mix)" follows llama.cpp's llama_tensor_get_type for
// LLAMA_FTYPE_MOSTLY_Q4_K_M (src/llama-quant.cpp) on dense models:
// - default Q4_K;
// - the output matrix, or the token embedding when the model has no separate output matrix
//   (tied embeddings), gets Q6_K, or Q8_0 when its rows are not a multiple of 256;
// - attn_v (and a fused attn_qkv) gets Q6_K on the layers use_more_bits picks, counting those
//   tensors in block order: i < n/8, i >= 7n/8, or (i - n/8) % 3 == 2;
// - ffn_down gets Q6_K on the blocks use_more_bits picks (n = the number of blocks);
// - a type that does not fit the row length falls back as llama.cpp does: Q4_K -> Q5_0,
//   Q6_K -> Q8_0; when that does not fit either llama.cpp writes F16, which BitLens has no
//   format for: the tensor is kept as stored.
// The result is default q4_k with fallback q5_0, plus an override for every tensor whose
// llama.cpp type differs from what that default and fallback give. Not applied: the rules for
// 70B models and for mixtures of experts, and the Falcon architecture's variants.
Recipe makeRecipePreset(const std::string& name, const Checkpoint& checkpoint);

} // namespace bitlens

// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace bitlens {

// What a tensor is for, judged from its name alone.
enum class TensorKind : uint8_t { Embedding, Attention, Mlp, Norm, Output, Other };

// The matrix a tensor is within its attention or MLP block, where the name says so; quantization
// mixes such as llama.cpp's Q4_K_M treat these differently.
enum class TensorRole : uint8_t {
    None,
    AttentionQ,
    AttentionK,
    AttentionV,
    AttentionQkv, // fused query/key/value
    AttentionOutput,
    MlpGate,
    MlpUp,
    MlpDown,
};

struct TensorClass {
    TensorKind kind = TensorKind::Other;
    TensorRole role = TensorRole::None;
    std::optional<uint32_t> block; // the transformer block (layer) number, if the name has one
};

// Understands GGUF / llama2.c names ("token_embd.weight", "blk.3.attn_v.weight",
// "output_norm.weight"), Meta's llama names ("layers.3.attention.wq.weight",
// "layers.3.feed_forward.w2.weight"), Hugging Face names ("model.embed_tokens.weight",
// "model.layers.3.self_attn.q_proj.weight", "model.layers.3.mlp.down_proj.weight",
// "lm_head.weight") and Keras names ("dense_1/dense_1/kernel:0", "batch_normalization/gamma:0":
// kind from the layer type word). Anything else is Other without a block.
TensorClass classifyTensor(std::string_view name);

// "embedding", "attention", "mlp", "norm", "output", "other".
std::string_view tensorKindName(TensorKind kind);
// The kind named by tensorKindName, or nullopt.
std::optional<TensorKind> tensorKindFromName(std::string_view name);

} // namespace bitlens

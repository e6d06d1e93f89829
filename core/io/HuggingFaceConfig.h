// SPDX-License-Identifier: MIT
#pragma once

#include <nlohmann/json.hpp>

namespace bitlens {

// The Checkpoint::model() object for a Hugging Face config.json: "architecture" (architectures[0],
// else model_type) and the hyper-parameters present, under the names every reader uses (dim,
// n_layers, n_heads, n_kv_heads, hidden_dim, vocab_size, rope_theta, context_length).
nlohmann::json modelFromHuggingFaceConfig(const nlohmann::json& config);

} // namespace bitlens

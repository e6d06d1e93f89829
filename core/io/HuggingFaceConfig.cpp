// SPDX-License-Identifier: MIT
#include "core/io/HuggingFaceConfig.h"

#include <utility>

namespace bitlens {

nlohmann::json modelFromHuggingFaceConfig(const nlohmann::json& config) {
    nlohmann::json model = nlohmann::json::object();
    const auto architectures = config.find("architectures");
    const auto modelType = config.find("model_type");
    if (architectures != config.end() && architectures->is_array() && !architectures->empty() &&
        architectures->front().is_string())
        model["architecture"] = architectures->front();
    else if (modelType != config.end() && modelType->is_string())
        model["architecture"] = *modelType;
    static const std::pair<const char*, const char*> kKeys[] = {
        {"hidden_size", "dim"},
        {"num_hidden_layers", "n_layers"},
        {"num_attention_heads", "n_heads"},
        {"num_key_value_heads", "n_kv_heads"},
        {"intermediate_size", "hidden_dim"},
        {"vocab_size", "vocab_size"},
        {"rope_theta", "rope_theta"},
        {"max_position_embeddings", "context_length"},
    };
    for (const auto& [key, name] : kKeys) {
        const auto value = config.find(key);
        if (value != config.end() && value->is_number())
            model[name] = *value;
    }
    return model;
}

} // namespace bitlens

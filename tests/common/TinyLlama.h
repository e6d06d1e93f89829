// SPDX-License-Identifier: MIT
#pragma once

#include "core/io/GgufWriter.h"
#include "core/io/SafetensorsWriter.h"

#include <QDir>
#include <QFile>
#include <QString>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

namespace bitlens::test {

// A small llama-family model held in GGUF tensor names (token_embd.weight, blk.N.attn_q.weight,
// ...) with rows in GGUF/llama2.c order (RoPE pairs adjacent), written by the functions below in
// the llama2.c, GGUF and Hugging Face layouts. Header-only; core and cli tests include it.
struct TinyLlama {
    uint64_t dim = 8, hiddenDim = 12, layers = 2, heads = 2, kvHeads = 1, vocab = 10, seqLen = 32;
    float epsilon = 1e-5f;
    bool tied = false; // no output.weight: the embedding is the output matrix
    std::map<std::string, std::vector<float>> weights;

    uint64_t headDim() const { return dim / heads; }
    std::string layer(uint64_t i, const char* part) const {
        return "blk." + std::to_string(i) + "." + part + ".weight";
    }
    // Every tensor's name and shape (outermost first), in llama2.c's file order.
    std::vector<std::pair<std::string, std::vector<uint64_t>>> shapes() const {
        const uint64_t kv = kvHeads * headDim();
        std::vector<std::pair<std::string, std::vector<uint64_t>>> list = {
            {"token_embd.weight", {vocab, dim}}};
        const std::pair<const char*, std::vector<uint64_t>> parts[] = {
            {"attn_norm", {dim}},           {"attn_q", {dim, dim}},
            {"attn_k", {kv, dim}},          {"attn_v", {kv, dim}},
            {"attn_output", {dim, dim}},    {"ffn_norm", {dim}},
            {"ffn_gate", {hiddenDim, dim}}, {"ffn_down", {dim, hiddenDim}},
            {"ffn_up", {hiddenDim, dim}}};
        for (const auto& [part, shape] : parts)
            for (uint64_t i = 0; i < layers; ++i)
                list.push_back({layer(i, part), shape});
        list.push_back({"output_norm.weight", {dim}});
        if (!tied)
            list.push_back({"output.weight", {vocab, dim}});
        return list;
    }
    // Fills every tensor with seeded values: norms near 1, matrices in [-0.5, 0.5).
    void randomize(uint32_t seed) {
        std::mt19937 random(seed);
        for (const auto& [name, shape] : shapes()) {
            uint64_t count = 1;
            for (uint64_t d : shape)
                count *= d;
            std::vector<float>& values = weights[name];
            values.resize(count);
            for (float& value : values) {
                const float unit = float(random() >> 8) / float(1u << 24) - 0.5f;
                value = shape.size() == 1 ? 1.0f + 0.4f * unit : unit;
            }
        }
    }
    // Zero-filled tensors (norm weights 1), for hand-built models.
    void zero() {
        for (const auto& [name, shape] : shapes()) {
            uint64_t count = 1;
            for (uint64_t d : shape)
                count *= d;
            weights[name].assign(count, shape.size() == 1 ? 1.0f : 0.0f);
        }
    }
};

inline std::vector<std::byte> floatBytes(const std::vector<float>& values) {
    std::vector<std::byte> bytes(values.size() * sizeof(float));
    std::memcpy(bytes.data(), values.data(), bytes.size());
    return bytes;
}

// llama2.c's run.c file: seven int32 then the weights in its order (RoPE tables zero-filled);
// a tied model stores vocab_size positive.
inline bool writeLlama2c(const TinyLlama& model, const QString& path) {
    std::vector<int32_t> header = {int32_t(model.dim),     int32_t(model.hiddenDim),
                                   int32_t(model.layers),  int32_t(model.heads),
                                   int32_t(model.kvHeads), int32_t(model.vocab),
                                   int32_t(model.seqLen)};
    if (!model.tied)
        header[5] = -header[5];
    QByteArray bytes(reinterpret_cast<const char*>(header.data()),
                     qsizetype(header.size() * sizeof(int32_t)));
    auto append = [&bytes](const std::vector<float>& values) {
        bytes.append(reinterpret_cast<const char*>(values.data()),
                     qsizetype(values.size() * sizeof(float)));
    };
    for (const auto& [name, shape] : model.shapes()) {
        if (name == "output.weight")
            append(std::vector<float>(model.seqLen * model.headDim(), 0.0f));
        append(model.weights.at(name));
        if (name == "output_norm.weight" && model.tied)
            append(std::vector<float>(model.seqLen * model.headDim(), 0.0f));
    }
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

// A GGUF llama file. Tensors missing from `weights` are left out; `metadataKvHeads` (when not 0)
// is written as llama.attention.head_count_kv instead of the model's, for broken-file tests.
inline void writeGguf(const TinyLlama& model, const QString& path, uint64_t metadataKvHeads = 0) {
    GgufWriter writer;
    writer.addMetadata("general.architecture", {std::string("llama")});
    writer.addMetadata("llama.context_length", {uint32_t(model.seqLen)});
    writer.addMetadata("llama.embedding_length", {uint32_t(model.dim)});
    writer.addMetadata("llama.block_count", {uint32_t(model.layers)});
    writer.addMetadata("llama.feed_forward_length", {uint32_t(model.hiddenDim)});
    writer.addMetadata("llama.attention.head_count", {uint32_t(model.heads)});
    writer.addMetadata("llama.attention.head_count_kv",
                       {uint32_t(metadataKvHeads ? metadataKvHeads : model.kvHeads)});
    writer.addMetadata("llama.attention.layer_norm_rms_epsilon", {model.epsilon});
    writer.addMetadata("llama.rope.freq_base", {10000.0f});
    for (const auto& [name, shape] : model.shapes())
        if (const auto weight = model.weights.find(name); weight != model.weights.end())
            writer.addTensor({name, shape, DType::F32, floatBytes(weight->second)});
    writer.write(path.toStdString());
}

// GGUF rows of a q or k matrix back in Hugging Face order: within each head, GGUF row 2i + j
// (RoPE pair i, member j) is Hugging Face row j * headDim / 2 + i.
inline std::vector<float> toHuggingFaceRows(const std::vector<float>& gguf, uint64_t heads,
                                            uint64_t headDim, uint64_t rowLength) {
    std::vector<float> hf(gguf.size());
    const uint64_t half = headDim / 2;
    for (uint64_t h = 0; h < heads; ++h)
        for (uint64_t i = 0; i < half; ++i)
            for (uint64_t j = 0; j < 2; ++j)
                std::memcpy(hf.data() + (h * headDim + j * half + i) * rowLength,
                            gguf.data() + (h * headDim + 2 * i + j) * rowLength,
                            rowLength * sizeof(float));
    return hf;
}

// A Hugging Face folder: config.json and model.safetensors with Hugging Face names, q and k rows
// permuted back (RoPE halves), as transformers stores a LlamaForCausalLM. `vectors` are written
// too, as one-dimensional tensors under their Hugging Face names (biases); `configChanges` are
// merged into config.json (rope scaling, other fields).
inline bool writeHuggingFace(const TinyLlama& model, const QString& folder,
                             const std::string& architecture = "LlamaForCausalLM",
                             const std::map<std::string, std::vector<float>>& vectors = {},
                             const nlohmann::json& configChanges = nlohmann::json::object()) {
    QDir().mkpath(folder);
    nlohmann::json config = {{"architectures", {architecture}},
                             {"hidden_size", model.dim},
                             {"intermediate_size", model.hiddenDim},
                             {"num_hidden_layers", model.layers},
                             {"num_attention_heads", model.heads},
                             {"num_key_value_heads", model.kvHeads},
                             {"vocab_size", model.vocab},
                             {"max_position_embeddings", model.seqLen},
                             {"rms_norm_eps", model.epsilon},
                             {"rope_theta", 10000.0},
                             {"tie_word_embeddings", model.tied}};
    config.update(configChanges);
    QFile configFile(folder + "/config.json");
    const std::string text = config.dump(2);
    if (!configFile.open(QIODevice::WriteOnly) ||
        configFile.write(text.data(), qint64(text.size())) != qint64(text.size()))
        return false;
    configFile.close();
    SafetensorsWriter writer;
    auto add = [&](const std::string& name, const std::string& source) {
        const auto& shapes = model.shapes();
        const auto shape = std::find_if(shapes.begin(), shapes.end(),
                                        [&](const auto& entry) { return entry.first == source; });
        std::vector<float> values = model.weights.at(source);
        if (source.find("attn_q.") != std::string::npos)
            values = toHuggingFaceRows(values, model.heads, model.headDim(), model.dim);
        if (source.find("attn_k.") != std::string::npos)
            values = toHuggingFaceRows(values, model.kvHeads, model.headDim(), model.dim);
        writer.addTensor({name, shape->second, DType::F32, floatBytes(values)});
    };
    add("model.embed_tokens.weight", "token_embd.weight");
    const std::pair<const char*, const char*> parts[] = {
        {"input_layernorm", "attn_norm"},    {"self_attn.q_proj", "attn_q"},
        {"self_attn.k_proj", "attn_k"},      {"self_attn.v_proj", "attn_v"},
        {"self_attn.o_proj", "attn_output"}, {"post_attention_layernorm", "ffn_norm"},
        {"mlp.gate_proj", "ffn_gate"},       {"mlp.up_proj", "ffn_up"},
        {"mlp.down_proj", "ffn_down"}};
    for (uint64_t i = 0; i < model.layers; ++i)
        for (const auto& [hf, gguf] : parts)
            add("model.layers." + std::to_string(i) + "." + hf + ".weight", model.layer(i, gguf));
    add("model.norm.weight", "output_norm.weight");
    if (!model.tied)
        add("lm_head.weight", "output.weight");
    for (const auto& [name, values] : vectors)
        writer.addTensor({name, {values.size()}, DType::F32, floatBytes(values)});
    writer.write((folder + "/model.safetensors").toStdString());
    return true;
}

// dim 4, vocab 4: token t embeds as 2 * onehot(t) (RMS 1), every layer weight is zero (the
// residual stream passes unchanged) and output row (t + 1) % 4 holds ln(3) / 2 at column t. So
// after token t the logits are ln(3) / sqrt(1 + eps) for token t + 1 and 0 for the others,
// whatever came before: a model whose numbers can be worked out by hand.
inline TinyLlama bigramLlama(uint64_t seqLen = TinyLlama{}.seqLen) {
    TinyLlama model;
    model.dim = 4;
    model.hiddenDim = 4;
    model.layers = 1;
    model.heads = 2;
    model.kvHeads = 1;
    model.vocab = 4;
    model.seqLen = seqLen;
    model.zero();
    for (uint64_t t = 0; t < 4; ++t) {
        model.weights["token_embd.weight"][t * 4 + t] = 2.0f;
        model.weights["output.weight"][((t + 1) % 4) * 4 + t] = float(std::log(3.0) / 2.0);
    }
    return model;
}

} // namespace bitlens::test

// SPDX-License-Identifier: MIT
#include "core/eval/LlamaConfig.h"

#include "core/util/Error.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <optional>

namespace bitlens {

namespace {

// Plausibility caps, far above any released llama-family model.
constexpr uint64_t kMaxDim = uint64_t(1) << 20;
constexpr uint64_t kMaxLayers = 4096;
constexpr uint64_t kMaxVocab = 10'000'000;
constexpr uint64_t kMaxContext = uint64_t(1) << 24;

// The parts of one decoder layer, in the order of LayerNames::parts.
enum Part : size_t {
    AttentionNorm,
    Query,
    Key,
    Value,
    AttentionOutput,
    QueryBias,
    KeyBias,
    ValueBias,
    AttentionOutputBias,
    FfnNorm,
    Gate,
    Up,
    Down,
    PartCount
};

struct TensorNaming {
    const char* embedding;
    const char* outputNorm;
    const char* output;
    const char* layerPrefix; // followed by the layer number and a dot
    std::array<const char*, PartCount> parts;
};

// llama2.c (as Llama2cReader names its tensors) and GGUF.
constexpr TensorNaming kGgufNaming = {
    "token_embd.weight",
    "output_norm.weight",
    "output.weight",
    "blk.",
    {"attn_norm.weight", "attn_q.weight", "attn_k.weight", "attn_v.weight", "attn_output.weight",
     "attn_q.bias", "attn_k.bias", "attn_v.bias", "attn_output.bias", "ffn_norm.weight",
     "ffn_gate.weight", "ffn_up.weight", "ffn_down.weight"}};

constexpr TensorNaming kHuggingFaceNaming = {
    "model.embed_tokens.weight",
    "model.norm.weight",
    "lm_head.weight",
    "model.layers.",
    {"input_layernorm.weight", "self_attn.q_proj.weight", "self_attn.k_proj.weight",
     "self_attn.v_proj.weight", "self_attn.o_proj.weight", "self_attn.q_proj.bias",
     "self_attn.k_proj.bias", "self_attn.v_proj.bias", "self_attn.o_proj.bias",
     "post_attention_layernorm.weight", "mlp.gate_proj.weight", "mlp.up_proj.weight",
     "mlp.down_proj.weight"}};

constexpr std::array<const char*, 3> kHuggingFaceArchitectures = {
    "LlamaForCausalLM", "MistralForCausalLM", "Qwen2ForCausalLM"};

std::string shapeText(const std::vector<uint64_t>& shape) {
    std::string text = "[";
    for (size_t i = 0; i < shape.size(); ++i)
        text += (i ? ", " : "") + std::to_string(shape[i]);
    return text + "]";
}

// Reads hyper-parameters from one JSON object (model(), GGUF metadata or config.json), reporting
// problems against the checkpoint's file.
class Fields {
public:
    // Keys are looked up as prefix + key; messages name them as label + prefix + key.
    Fields(const nlohmann::json& object, const Checkpoint& checkpoint, std::string prefix = {},
           std::string label = {})
        : object_(object), checkpoint_(checkpoint), prefix_(std::move(prefix)),
          label_(std::move(label)) {}

    const nlohmann::json* find(const std::string& key) const {
        const auto it = object_.find(prefix_ + key);
        return it == object_.end() || it->is_null() ? nullptr : &*it;
    }

    std::optional<uint64_t> count(const std::string& key, uint64_t limit) const {
        const nlohmann::json* value = find(key);
        if (!value)
            return std::nullopt;
        if (!value->is_number_integer() || value->get<int64_t>() < 1 ||
            uint64_t(value->get<int64_t>()) > limit)
            fail(prefix_ + key + " is " + value->dump() + ", expected an integer in 1.." +
                 std::to_string(limit));
        return uint64_t(value->get<int64_t>());
    }
    uint64_t requiredCount(const std::string& key, uint64_t limit) const {
        const std::optional<uint64_t> value = count(key, limit);
        if (!value)
            fail(prefix_ + key + " is missing");
        return *value;
    }

    double positive(const std::string& key, double fallback) const {
        const nlohmann::json* value = find(key);
        if (!value)
            return fallback;
        if (!value->is_number() || !(value->get<double>() > 0) ||
            !std::isfinite(value->get<double>()))
            fail(prefix_ + key + " is " + value->dump() + ", expected a positive number");
        return value->get<double>();
    }

    std::string text(const std::string& key) const {
        const nlohmann::json* value = find(key);
        if (value && !value->is_string())
            fail(prefix_ + key + " is " + value->dump() + ", expected a string");
        return value ? value->get<std::string>() : std::string();
    }

    bool flag(const std::string& key, bool fallback) const {
        const nlohmann::json* value = find(key);
        if (value && !value->is_boolean())
            fail(prefix_ + key + " is " + value->dump() + ", expected true or false");
        return value ? value->get<bool>() : fallback;
    }

    [[noreturn]] void fail(const std::string& problem) const {
        throw FileError(checkpoint_.source(), label_ + problem);
    }

private:
    const nlohmann::json& object_;
    const Checkpoint& checkpoint_;
    std::string prefix_;
    std::string label_;
};

// Finds weights by name and checks their shapes.
class WeightFinder {
public:
    explicit WeightFinder(const Checkpoint& checkpoint) : checkpoint_(checkpoint) {}

    long optional(const std::string& name, const std::vector<uint64_t>& shape) const {
        const long index = checkpoint_.findTensor(name);
        if (index >= 0 && checkpoint_.tensors()[size_t(index)].shape != shape)
            throw FileError(checkpoint_.source(),
                            "weight '" + name + "' has shape " +
                                shapeText(checkpoint_.tensors()[size_t(index)].shape) +
                                ", expected " + shapeText(shape));
        return index;
    }
    size_t required(const std::string& name, const std::vector<uint64_t>& shape) const {
        const long index = optional(name, shape);
        if (index < 0)
            throw FileError(checkpoint_.source(),
                            "weight '" + name + "' (shape " + shapeText(shape) + ") is missing");
        return size_t(index);
    }

private:
    const Checkpoint& checkpoint_;
};

// Checks the numbers that every source must agree on.
void checkGeometry(const LlamaConfig& config, const Fields& fields) {
    if (config.kvHeads > config.heads || config.heads % config.kvHeads != 0)
        fields.fail("n_kv_heads " + std::to_string(config.kvHeads) + " does not divide n_heads " +
                    std::to_string(config.heads));
    if (config.headDim == 0 || config.headDim % 2 != 0 || config.headDim > kMaxDim)
        fields.fail("head size " + std::to_string(config.headDim) +
                    " is not a positive even number (RoPE needs pairs)");
}

void findTensors(LlamaConfig& config, const Checkpoint& checkpoint, const TensorNaming& naming,
                 bool biasesRequired) {
    const WeightFinder finder(checkpoint);
    const uint64_t queryRows = config.heads * config.headDim;
    const uint64_t kvRows = config.kvHeads * config.headDim;
    const long embedding = checkpoint.findTensor(naming.embedding);
    if (embedding < 0)
        throw FileError(checkpoint.source(),
                        std::string("weight '") + naming.embedding + "' is missing");
    const std::vector<uint64_t>& embeddingShape = checkpoint.tensors()[size_t(embedding)].shape;
    if (embeddingShape.size() != 2 || embeddingShape[1] != config.dim ||
        embeddingShape[0] > kMaxVocab || embeddingShape[0] == 0 ||
        (config.vocabSize && embeddingShape[0] != config.vocabSize))
        throw FileError(checkpoint.source(),
                        std::string("weight '") + naming.embedding + "' has shape " +
                            shapeText(embeddingShape) + ", expected [" +
                            (config.vocabSize ? std::to_string(config.vocabSize) : "vocab") + ", " +
                            std::to_string(config.dim) + "]");
    config.vocabSize = embeddingShape[0];
    config.tensors.embedding = size_t(embedding);
    config.tensors.layers.resize(config.layers);
    for (uint64_t layer = 0; layer < config.layers; ++layer) {
        const std::string prefix = naming.layerPrefix + std::to_string(layer) + ".";
        auto name = [&](Part part) {
            return prefix + naming.parts[part];
        };
        auto bias = [&](Part part, uint64_t rows) {
            return biasesRequired ? long(finder.required(name(part), {rows}))
                                  : finder.optional(name(part), {rows});
        };
        LlamaLayerTensors& t = config.tensors.layers[layer];
        t.attentionNorm = finder.required(name(AttentionNorm), {config.dim});
        t.query = finder.required(name(Query), {queryRows, config.dim});
        t.key = finder.required(name(Key), {kvRows, config.dim});
        t.value = finder.required(name(Value), {kvRows, config.dim});
        t.attentionOutput = finder.required(name(AttentionOutput), {config.dim, queryRows});
        t.queryBias = bias(QueryBias, queryRows);
        t.keyBias = bias(KeyBias, kvRows);
        t.valueBias = bias(ValueBias, kvRows);
        t.attentionOutputBias = finder.optional(name(AttentionOutputBias), {config.dim});
        t.ffnNorm = finder.required(name(FfnNorm), {config.dim});
        t.gate = finder.required(name(Gate), {config.hiddenDim, config.dim});
        t.up = finder.required(name(Up), {config.hiddenDim, config.dim});
        t.down = finder.required(name(Down), {config.dim, config.hiddenDim});
    }
    config.tensors.outputNorm = finder.required(naming.outputNorm, {config.dim});
    if (config.tiedOutput) {
        config.tensors.output = config.tensors.embedding;
    } else {
        config.tensors.output = finder.required(naming.output, {config.vocabSize, config.dim});
    }
}

void fromLlama2c(LlamaConfig& config, const Checkpoint& checkpoint) {
    const Fields fields(checkpoint.model(), checkpoint);
    config.architecture = "llama";
    config.dim = fields.requiredCount("dim", kMaxDim);
    config.hiddenDim = fields.requiredCount("hidden_dim", kMaxDim * 8);
    config.layers = fields.requiredCount("n_layers", kMaxLayers);
    config.heads = fields.requiredCount("n_heads", kMaxDim);
    config.kvHeads = fields.requiredCount("n_kv_heads", kMaxDim);
    config.vocabSize = fields.requiredCount("vocab_size", kMaxVocab);
    config.contextLength = fields.requiredCount("seq_len", kMaxContext);
    config.headDim = config.dim / config.heads;
    if (config.headDim * config.heads != config.dim)
        fields.fail("n_heads does not divide dim");
    config.tiedOutput = fields.flag("shared_classifier", true);
    config.ropePairing = RopePairing::Adjacent;
    checkGeometry(config, fields);
    config.ropeInverseFrequencies = ropeInverseFrequencies(config.headDim, config.ropeTheta);
    findTensors(config, checkpoint, kGgufNaming, false);
}

void fromGguf(LlamaConfig& config, const Checkpoint& checkpoint) {
    const Fields general(checkpoint.metadata(), checkpoint);
    const std::string architecture = general.text("general.architecture");
    if (architecture != "llama")
        general.fail("GGUF architecture '" + architecture +
                     "' is not supported (only 'llama' is evaluated as a language model)");
    const Fields fields(checkpoint.metadata(), checkpoint, "llama.");
    config.architecture = "llama";
    config.dim = fields.requiredCount("embedding_length", kMaxDim);
    config.layers = fields.requiredCount("block_count", kMaxLayers);
    config.hiddenDim = fields.requiredCount("feed_forward_length", kMaxDim * 8);
    config.heads = fields.requiredCount("attention.head_count", kMaxDim);
    config.kvHeads = fields.count("attention.head_count_kv", kMaxDim).value_or(config.heads);
    config.contextLength = fields.count("context_length", kMaxContext).value_or(2048);
    config.headDim =
        fields.count("attention.key_length", kMaxDim).value_or(config.dim / config.heads);
    config.ropeTheta = float(fields.positive("rope.freq_base", 10000.0));
    config.normEpsilon = float(fields.positive("attention.layer_norm_rms_epsilon", 1e-5));
    config.ropePairing = RopePairing::Adjacent;
    checkGeometry(config, fields);
    if (const auto ropeDims = fields.count("rope.dimension_count", kMaxDim);
        ropeDims && *ropeDims != config.headDim)
        fields.fail("llama.rope.dimension_count " + std::to_string(*ropeDims) +
                    " differs from the head size " + std::to_string(config.headDim) +
                    " (partial rotary embedding is not supported)");
    config.ropeInverseFrequencies = ropeInverseFrequencies(config.headDim, config.ropeTheta);
    const std::string scaling = fields.text("rope.scaling.type");
    double linearFactor = fields.positive("rope.scale_linear", 1.0);
    if (scaling == "linear")
        linearFactor = fields.positive("rope.scaling.factor", 1.0);
    else if (!scaling.empty() && scaling != "none")
        fields.fail("llama.rope.scaling.type '" + scaling +
                    "' is not supported (none and linear are)");
    if (linearFactor != 1.0) {
        config.ropeScaling = "linear";
        for (double& frequency : config.ropeInverseFrequencies)
            frequency /= linearFactor;
    }
    const long factors = WeightFinder(checkpoint)
                             .optional("rope_freqs.weight", {config.ropeInverseFrequencies.size()});
    if (factors >= 0) {
        std::vector<float> divisors(config.ropeInverseFrequencies.size());
        checkpoint.readFloats(size_t(factors), 0, divisors.size(), divisors.data());
        for (size_t i = 0; i < divisors.size(); ++i) {
            if (!(divisors[i] > 0) || !std::isfinite(divisors[i]))
                general.fail("rope_freqs.weight holds " + std::to_string(divisors[i]) +
                             ", expected positive factors");
            config.ropeInverseFrequencies[i] /= double(divisors[i]);
        }
        config.ropeScaling = "rope_freqs";
    }
    config.tiedOutput = checkpoint.findTensor(kGgufNaming.output) < 0;
    findTensors(config, checkpoint, kGgufNaming, false);
}

// Hugging Face rope_scaling: "linear" divides every frequency by the factor; "llama3" keeps high
// frequencies, divides low ones by the factor and blends those in between by wavelength.
void applyHuggingFaceRopeScaling(LlamaConfig& config, const Fields& configFields,
                                 const Checkpoint& checkpoint) {
    const nlohmann::json* scaling = configFields.find("rope_scaling");
    if (!scaling)
        return;
    if (!scaling->is_object())
        configFields.fail("rope_scaling is " + scaling->dump() + ", expected an object");
    const Fields fields(*scaling, checkpoint, "", "rope_scaling.");
    std::string type = fields.text("rope_type");
    if (type.empty())
        type = fields.text("type");
    if (type.empty() || type == "default")
        return;
    const double factor = fields.positive("factor", 1.0);
    std::vector<double>& frequencies = config.ropeInverseFrequencies;
    if (type == "linear") {
        for (double& frequency : frequencies)
            frequency /= factor;
    } else if (type == "llama3") {
        const double lowFactor = fields.positive("low_freq_factor", 1.0);
        const double highFactor = fields.positive("high_freq_factor", 4.0);
        const double originalContext =
            double(fields.count("original_max_position_embeddings", kMaxContext).value_or(8192));
        if (!(highFactor > lowFactor))
            fields.fail("high_freq_factor must exceed low_freq_factor");
        const double lowWavelength = originalContext / lowFactor;
        const double highWavelength = originalContext / highFactor;
        for (double& frequency : frequencies) {
            const double wavelength = 2.0 * std::numbers::pi / frequency;
            if (wavelength > lowWavelength) {
                frequency /= factor;
            } else if (wavelength >= highWavelength) {
                const double smooth =
                    (originalContext / wavelength - lowFactor) / (highFactor - lowFactor);
                frequency = (1.0 - smooth) * frequency / factor + smooth * frequency;
            }
        }
    } else {
        fields.fail("type '" + type + "' is not supported (linear and llama3 are)");
    }
    config.ropeScaling = type;
}

void fromHuggingFace(LlamaConfig& config, const Checkpoint& checkpoint) {
    const nlohmann::json& json = checkpoint.metadata().at("config");
    const Fields fields(json, checkpoint, "", "config.json: ");
    const std::string architecture =
        checkpoint.model().value("architecture", std::string("(none)"));
    if (std::find(kHuggingFaceArchitectures.begin(), kHuggingFaceArchitectures.end(),
                  architecture) == kHuggingFaceArchitectures.end())
        fields.fail("architecture '" + architecture +
                    "' is not supported (LlamaForCausalLM, MistralForCausalLM and "
                    "Qwen2ForCausalLM are)");
    if (fields.flag("mlp_bias", false))
        fields.fail("mlp_bias is not supported");
    config.architecture = architecture;
    config.dim = fields.requiredCount("hidden_size", kMaxDim);
    config.layers = fields.requiredCount("num_hidden_layers", kMaxLayers);
    config.hiddenDim = fields.requiredCount("intermediate_size", kMaxDim * 8);
    config.heads = fields.requiredCount("num_attention_heads", kMaxDim);
    config.kvHeads = fields.count("num_key_value_heads", kMaxDim).value_or(config.heads);
    config.vocabSize = fields.count("vocab_size", kMaxVocab).value_or(0);
    config.contextLength = fields.count("max_position_embeddings", kMaxContext).value_or(2048);
    config.headDim = fields.count("head_dim", kMaxDim).value_or(config.dim / config.heads);
    const bool qwen2 = architecture == "Qwen2ForCausalLM";
    if (!qwen2 || fields.flag("use_sliding_window", false))
        config.slidingWindow = fields.count("sliding_window", kMaxContext).value_or(0);
    config.ropeTheta = float(fields.positive("rope_theta", 10000.0));
    config.normEpsilon = float(fields.positive("rms_norm_eps", 1e-6));
    config.ropePairing = RopePairing::HalfSplit;
    checkGeometry(config, fields);
    config.ropeInverseFrequencies = ropeInverseFrequencies(config.headDim, config.ropeTheta);
    applyHuggingFaceRopeScaling(config, fields, checkpoint);
    config.tiedOutput = checkpoint.findTensor(kHuggingFaceNaming.output) < 0 &&
                        fields.flag("tie_word_embeddings", false);
    findTensors(config, checkpoint, kHuggingFaceNaming, qwen2);
}

} // namespace

LlamaConfig LlamaConfig::fromCheckpoint(const Checkpoint& checkpoint) {
    LlamaConfig config;
    if (checkpoint.format() == "llama2c")
        fromLlama2c(config, checkpoint);
    else if (checkpoint.format() == "gguf")
        fromGguf(config, checkpoint);
    else if (checkpoint.format() == "safetensors" && checkpoint.metadata().contains("config"))
        fromHuggingFace(config, checkpoint);
    else
        throw FileError(checkpoint.source(),
                        "not a llama-family language model (expected a llama2.c checkpoint, a "
                        "GGUF llama file or a Hugging Face folder with config.json)");
    return config;
}

void LlamaConfig::checkSequence(std::span<const int32_t> tokens) const {
    const uint64_t n = tokens.size();
    if (n == 0)
        throw Error("the model needs at least one token");
    if (slidingWindow && n > slidingWindow)
        throw Error("a sequence of " + std::to_string(n) + " tokens exceeds the model's sliding " +
                    "attention window of " + std::to_string(slidingWindow) +
                    "; BitLens computes full attention only, so use a context of at most " +
                    std::to_string(slidingWindow) + " tokens");
    for (int32_t token : tokens)
        if (token < 0 || uint64_t(token) >= vocabSize)
            throw Error("token id " + std::to_string(token) + " is outside the vocabulary of " +
                        std::to_string(vocabSize));
}

} // namespace bitlens

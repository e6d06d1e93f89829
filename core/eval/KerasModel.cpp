// SPDX-License-Identifier: MIT
#include "core/eval/KerasModel.h"

#include "core/util/Error.h"

#include <numeric>

namespace bitlens {
namespace {

using nlohmann::json;

std::string shapeText(const std::vector<uint64_t>& shape) {
    std::string text = "(";
    for (size_t i = 0; i < shape.size(); ++i)
        text += (i ? ", " : "") + std::to_string(shape[i]);
    return text + ")";
}

// Reads one layer's config fields with Keras' defaults; every failure names the layer.
class LayerConfig {
public:
    LayerConfig(const json& config, std::string layerName)
        : config_(config), name_(std::move(layerName)) {}

    const std::string& name() const { return name_; }
    [[noreturn]] void fail(const std::string& problem) const {
        throw Error("layer " + name_ + ": " + problem);
    }
    bool has(const char* key) const { return config_.contains(key) && !config_[key].is_null(); }

    bool flag(const char* key, bool fallback) const {
        if (!has(key))
            return fallback;
        if (!config_[key].is_boolean())
            fail(std::string(key) + " is not true or false");
        return config_[key].get<bool>();
    }
    double number(const char* key, double fallback) const {
        if (!has(key))
            return fallback;
        if (!config_[key].is_number())
            fail(std::string(key) + " is not a number");
        return config_[key].get<double>();
    }
    std::string text(const char* key, const std::string& fallback) const {
        if (!has(key))
            return fallback;
        if (!config_[key].is_string())
            fail(std::string(key) + " is not a string");
        return config_[key].get<std::string>();
    }
    uint32_t positive(const json& value, const char* key) const {
        if (!value.is_number_integer() || value.get<int64_t>() < 1 ||
            uint64_t(value.get<int64_t>()) > kMaxKerasDimension)
            fail(std::string(key) + " must be an integer in 1.." +
                 std::to_string(kMaxKerasDimension));
        return uint32_t(value.get<int64_t>());
    }
    uint32_t positive(const char* key) const {
        if (!has(key))
            fail(std::string("has no ") + key);
        return positive(config_[key], key);
    }
    // An int or a pair of ints, as Keras accepts for kernel_size, strides and pool_size.
    std::pair<uint32_t, uint32_t> pair(const char* key,
                                       std::pair<uint32_t, uint32_t> fallback) const {
        if (!has(key))
            return fallback;
        const json& value = config_[key];
        if (value.is_array()) {
            if (value.size() != 2)
                fail(std::string(key) + " must have two values");
            return {positive(value[0], key), positive(value[1], key)};
        }
        const uint32_t both = positive(value, key);
        return {both, both};
    }
    bool samePadding() const {
        const std::string padding = text("padding", "valid");
        if (padding != "valid" && padding != "same")
            fail("padding '" + padding + "' is not supported (valid or same)");
        return padding == "same";
    }
    void requireChannelsLast() const {
        const std::string format = text("data_format", "channels_last");
        if (format != "channels_last")
            fail("data_format '" + format + "' is not supported (channels_last only)");
    }
    // Keras' axis argument must name the last axis (-1 or rank - 1, alone or in a list).
    void requireLastAxis(size_t rank) const {
        if (!has("axis"))
            return;
        const json axis = config_["axis"].is_array() && config_["axis"].size() == 1
                              ? config_["axis"][0]
                              : config_["axis"];
        if (!axis.is_number_integer() ||
            (axis.get<int64_t>() != -1 && axis.get<int64_t>() != int64_t(rank)))
            fail("only the last (channels) axis is supported, not " + config_["axis"].dump());
    }
    Activation activation() const {
        return activationFromKerasName(text("activation", "linear"), name_);
    }

private:
    const json& config_;
    std::string name_;
};

// Shape without the batch axis from a [null, d1, d2, ...] list; empty when absent.
std::vector<uint64_t> batchShape(const json& config, const std::string& layerName) {
    for (const char* key : {"batch_input_shape", "batch_shape"}) {
        if (!config.contains(key) || config[key].is_null())
            continue;
        const json& dims = config[key];
        if (!dims.is_array() || dims.size() < 2 || dims.size() > 5)
            throw Error("layer " + layerName + ": " + key + " must list 1 to 4 dimensions");
        std::vector<uint64_t> shape;
        for (size_t i = 1; i < dims.size(); ++i) {
            if (!dims[i].is_number_integer() || dims[i].get<int64_t>() < 1 ||
                uint64_t(dims[i].get<int64_t>()) > kMaxKerasDimension)
                throw Error("layer " + layerName + ": input dimension " + dims[i].dump() +
                            " is not a known size (the evaluator needs fixed input shapes)");
            shape.push_back(uint64_t(dims[i].get<int64_t>()));
        }
        return shape;
    }
    return {};
}

// Names of the layers feeding a Functional layer, from either serialisation of inbound_nodes:
// Keras 2 [[["name", 0, 0, {}]]] or Keras 3 [{"args": [{"config": {"keras_history": [...]}}]}].
std::vector<std::string> inboundNames(const json& layer, const std::string& layerName) {
    std::vector<std::string> names;
    if (!layer.contains("inbound_nodes"))
        return names;
    const json& nodes = layer["inbound_nodes"];
    if (!nodes.is_array())
        throw Error("layer " + layerName + ": inbound_nodes is not a list");
    if (nodes.size() > 1)
        throw Error("layer " + layerName +
                    " is called more than once (shared layers are not "
                    "supported)");
    for (const json& node : nodes) {
        if (node.is_array()) {
            for (const json& inbound : node)
                if (inbound.is_array() && !inbound.empty() && inbound[0].is_string())
                    names.push_back(inbound[0].get<std::string>());
                else
                    throw Error("layer " + layerName + ": unreadable inbound node " + node.dump());
        } else if (node.is_object() && node.contains("args") && node["args"].is_array()) {
            for (const json& argument : node["args"]) {
                const json* history = argument.is_object() && argument.contains("config")
                                          ? &argument["config"]
                                          : nullptr;
                if (!history || !history->contains("keras_history") ||
                    !(*history)["keras_history"].is_array() ||
                    (*history)["keras_history"].empty() ||
                    !(*history)["keras_history"][0].is_string())
                    throw Error("layer " + layerName + ": unreadable inbound node " + node.dump());
                names.push_back((*history)["keras_history"][0].get<std::string>());
            }
        } else {
            throw Error("layer " + layerName + ": unreadable inbound node " + node.dump());
        }
    }
    return names;
}

// Fills kind-specific fields and the output shape of `layer` (whose inputShape is set).
void resolveLayer(KerasLayer& layer, const LayerConfig& config) {
    const std::vector<uint64_t>& in = layer.inputShape;
    auto requireImage = [&] {
        if (in.size() != 3)
            config.fail("needs an image input [height, width, channels], got " + shapeText(in));
    };
    layer.outputShape = in;
    const std::string& type = layer.className;
    if (type == "Dense") {
        layer.kind = LayerKind::Dense;
        layer.units = config.positive("units");
        layer.useBias = config.flag("use_bias", true);
        layer.activation = config.activation();
        if (in.empty())
            config.fail("has no input features");
        layer.outputShape.back() = layer.units;
    } else if (type == "Conv2D") {
        layer.kind = LayerKind::Conv2D;
        requireImage();
        config.requireChannelsLast();
        if (config.pair("dilation_rate", {1, 1}) != std::pair<uint32_t, uint32_t>{1, 1})
            config.fail("dilation_rate other than 1 is not supported");
        if (config.number("groups", 1) != 1)
            config.fail("grouped convolution is not supported");
        layer.units = config.positive("filters");
        const auto [kh, kw] = config.pair("kernel_size", {0, 0});
        if (kh == 0)
            config.fail("has no kernel_size");
        const auto [sy, sx] = config.pair("strides", {1, 1});
        layer.window = {kh, kw, sy, sx, config.samePadding()};
        layer.useBias = config.flag("use_bias", true);
        layer.activation = config.activation();
        layer.geometry = windowGeometry(in[0], in[1], layer.window, layer.name);
        layer.outputShape = {layer.geometry.outHeight, layer.geometry.outWidth, layer.units};
    } else if (type == "MaxPooling2D" || type == "AveragePooling2D") {
        layer.kind = type == "MaxPooling2D" ? LayerKind::MaxPooling2D : LayerKind::AveragePooling2D;
        requireImage();
        config.requireChannelsLast();
        const auto [ph, pw] = config.pair("pool_size", {2, 2});
        const auto [sy, sx] = config.pair("strides", {ph, pw});
        layer.window = {ph, pw, sy, sx, config.samePadding()};
        layer.geometry = windowGeometry(in[0], in[1], layer.window, layer.name);
        layer.outputShape = {layer.geometry.outHeight, layer.geometry.outWidth, in[2]};
    } else if (type == "GlobalAveragePooling2D") {
        layer.kind = LayerKind::GlobalAveragePooling2D;
        requireImage();
        config.requireChannelsLast();
        layer.outputShape = config.flag("keepdims", false) ? std::vector<uint64_t>{1, 1, in[2]}
                                                           : std::vector<uint64_t>{in[2]};
    } else if (type == "Flatten") {
        layer.kind = LayerKind::Flatten;
        config.requireChannelsLast();
        layer.outputShape = {
            std::accumulate(in.begin(), in.end(), uint64_t(1), std::multiplies<uint64_t>())};
    } else if (type == "Dropout") {
        layer.kind = LayerKind::Dropout;
    } else if (type == "BatchNormalization") {
        layer.kind = LayerKind::BatchNormalization;
        config.requireLastAxis(in.size());
        layer.epsilon = float(config.number("epsilon", 1e-3));
        layer.center = config.flag("center", true);
        layer.scale = config.flag("scale", true);
        if (in.empty() || !(layer.epsilon >= 0))
            config.fail("needs channels and a non-negative epsilon");
    } else if (type == "Activation") {
        layer.kind = LayerKind::Activation;
        layer.activation = config.activation();
    } else if (type == "ReLU") {
        layer.kind = LayerKind::Activation;
        layer.activation.kind = ActivationKind::Relu;
        layer.activation.negativeSlope = float(config.number("negative_slope", 0));
        layer.activation.threshold = float(config.number("threshold", 0));
        layer.activation.maxValue =
            float(config.number("max_value", double(layer.activation.maxValue)));
    } else if (type == "LeakyReLU") {
        layer.kind = LayerKind::Activation;
        // Keras 2 calls the slope alpha, Keras 3 negative_slope; both default to 0.3.
        layer.activation = Activation::leakyRelu(
            float(config.number("alpha", config.number("negative_slope", 0.3))));
    } else if (type == "Softmax") {
        layer.kind = LayerKind::Activation;
        config.requireLastAxis(in.size());
        layer.activation.kind = ActivationKind::Softmax;
    } else {
        throw Error("layer " + layer.name + " of type " + type + " is not supported");
    }
    for (uint64_t dim : layer.outputShape)
        if (dim == 0 || dim > kMaxKerasDimension)
            config.fail("output shape " + shapeText(layer.outputShape) + " is out of range");
}

} // namespace

const std::vector<uint64_t>& KerasModel::outputShape() const {
    return layers_.empty() ? inputShape_ : layers_.back().outputShape;
}

KerasModel KerasModel::fromConfig(const json& config) {
    if (!config.is_object() || !config.contains("class_name") || !config["class_name"].is_string())
        throw Error("model_config is not a Keras model description");
    const std::string modelClass = config["class_name"].get<std::string>();
    const bool functional = modelClass == "Functional" || modelClass == "Model";
    if (modelClass != "Sequential" && !functional)
        throw Error("model of type " + modelClass +
                    " is not supported (Sequential or Functional only)");
    if (!config.contains("config") || !config["config"].is_object() ||
        !config["config"].contains("layers") || !config["config"]["layers"].is_array())
        throw Error("model_config has no layer list");
    const json& body = config["config"];
    const json& layers = body["layers"];
    if (layers.size() > kMaxKerasLayers)
        throw Error("model_config lists " + std::to_string(layers.size()) + " layers (at most " +
                    std::to_string(kMaxKerasLayers) + ")");

    KerasModel model;
    model.name_ = body.contains("name") && body["name"].is_string()
                      ? body["name"].get<std::string>()
                      : modelClass;
    std::string previousName;
    for (size_t index = 0; index < layers.size(); ++index) {
        const json& entry = layers[index];
        if (!entry.is_object() || !entry.contains("class_name") ||
            !entry["class_name"].is_string() || !entry.contains("config") ||
            !entry["config"].is_object())
            throw Error("model_config layer " + std::to_string(index) + " is malformed");
        const json& layerConfig = entry["config"];
        const std::string type = entry["class_name"].get<std::string>();
        const std::string name = layerConfig.contains("name") && layerConfig["name"].is_string()
                                     ? layerConfig["name"].get<std::string>()
                                     : type + "_" + std::to_string(index);
        if (functional) {
            const std::vector<std::string> inputs = inboundNames(entry, name);
            const bool chained =
                index == 0 ? inputs.empty() : inputs.size() == 1 && inputs[0] == previousName;
            if (!chained)
                throw Error("layer " + name +
                            " does not follow the layer before it (only "
                            "linear chains of layers are supported)");
        }
        previousName = name;
        if (model.inputShape_.empty())
            model.inputShape_ = batchShape(layerConfig, name);
        if (type == "InputLayer") {
            if (index != 0)
                throw Error("layer " + name + ": an InputLayer must come first");
            continue;
        }
        if (model.inputShape_.empty() && modelClass == "Sequential" &&
            body.contains("build_input_shape"))
            model.inputShape_ =
                batchShape({{"batch_input_shape", body["build_input_shape"]}}, name);
        if (model.inputShape_.empty())
            throw Error("model_config does not give the input shape (no batch_input_shape)");
        KerasLayer layer;
        layer.name = name;
        layer.className = type;
        layer.inputShape = model.outputShape();
        resolveLayer(layer, LayerConfig(layerConfig, name));
        model.layers_.push_back(std::move(layer));
    }
    if (functional && body.contains("output_layers")) {
        const json& outputs = body["output_layers"];
        const json& first = outputs.is_array() && outputs.size() == 1 && outputs[0].is_array()
                                ? outputs[0]
                                : outputs;
        if (!first.is_array() || first.empty() || !first[0].is_string() ||
            first[0].get<std::string>() != previousName)
            throw Error("model output is not the last layer (" + outputs.dump() + ")");
    }
    if (model.layers_.empty())
        throw Error("model_config has no layers");
    return model;
}

} // namespace bitlens

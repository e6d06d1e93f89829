// SPDX-License-Identifier: MIT
#include "core/io/Hdf5Layout.h"

#include "core/io/Checkpoint.h"
#include "core/util/Error.h"

#include <algorithm>
#include <optional>

namespace bitlens {

namespace {

// Keras nests models (a Sequential inside a Functional) a few levels deep; HDF5 hard links can
// form cycles, so the Keras 3 walk stops here.
constexpr int kMaxKerasDepth = 32;

bool endsWith(const std::string& text, const std::string& suffix) {
    return text.size() >= suffix.size() &&
           text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string joinPath(const std::string& parent, const std::string& child) {
    return parent.empty() || parent == "/" ? child : parent + "/" + child;
}

// A Keras string list attribute: `name`, or when it outgrew HDF5's 64 KiB attribute limit, the
// pieces `name0`, `name1`, ... in order. nullopt when neither form is there.
std::optional<std::vector<std::string>> readKerasList(const Hdf5File& file, hid_t object,
                                                      const std::string& objectPath,
                                                      const std::string& name) {
    if (file.hasAttribute(object, name))
        return file.readStrings(object, objectPath, name);
    std::vector<std::string> all;
    uint64_t piece = 0;
    for (; file.hasAttribute(object, name + std::to_string(piece)); ++piece) {
        std::vector<std::string> part =
            file.readStrings(object, objectPath, name + std::to_string(piece));
        if (all.size() + part.size() > kMaxTensorCount)
            throw FileError(file.path(), "attribute '" + name + "' of '" + objectPath +
                                             "' lists more than " +
                                             std::to_string(kMaxTensorCount) + " names");
        all.insert(all.end(), part.begin(), part.end());
    }
    if (piece == 0)
        return std::nullopt;
    return all;
}

std::string optionalString(const nlohmann::json& object, const char* key) {
    const auto found = object.find(key);
    return found != object.end() && found->is_string() ? found->get<std::string>() : std::string();
}

// {"architecture": "Sequential", "layers": [{"name": ..., "class_name": ...}, ...]} from a Keras
// model_config; fields the config lacks are left out.
nlohmann::json kerasModel(const nlohmann::json& config) {
    nlohmann::json model = nlohmann::json::object();
    const std::string architecture = optionalString(config, "class_name");
    if (!architecture.empty())
        model["architecture"] = architecture;
    const auto inner = config.find("config");
    if (inner == config.end())
        return model;
    const nlohmann::json* layers = nullptr;
    if (inner->is_array()) // Keras 2.2 Sequential: "config" is the layer list itself
        layers = &*inner;
    else if (inner->is_object() && inner->contains("layers") && (*inner)["layers"].is_array())
        layers = &(*inner)["layers"];
    if (!layers)
        return model;
    nlohmann::json list = nlohmann::json::array();
    for (const nlohmann::json& layer : *layers) {
        if (!layer.is_object())
            continue;
        std::string name = optionalString(layer, "name");
        const auto layerConfig = layer.find("config");
        if (name.empty() && layerConfig != layer.end() && layerConfig->is_object())
            name = optionalString(*layerConfig, "name");
        list.push_back({{"name", name}, {"class_name", optionalString(layer, "class_name")}});
    }
    model["layers"] = std::move(list);
    return model;
}

// Root attributes of a Keras 2 file: model_config (parsed), keras_version, backend.
void readKerasAttributes(const Hdf5File& file, Hdf5Layout& layout) {
    const hid_t root = file.root();
    for (const char* key : {"keras_version", "backend"})
        if (file.hasAttribute(root, key))
            layout.metadata[key] = file.readString(root, "/", key);
    if (!file.hasAttribute(root, "model_config"))
        return;
    const std::string text = file.readString(root, "/", "model_config");
    nlohmann::json config = nlohmann::json::parse(text, nullptr, false);
    if (config.is_discarded() || !config.is_object())
        throw FileError(file.path(), "attribute 'model_config' is not a JSON object");
    layout.model = kerasModel(config);
    layout.metadata["model_config"] = std::move(config);
}

Hdf5Layout kerasLegacyLayout(const Hdf5File& file, const std::string& groupPath) {
    Hdf5Layout layout;
    layout.format = "keras-h5";
    layout.everyWeightRequired = true;
    readKerasAttributes(file, layout);
    Hdf5Handle group = file.openGroup(file.root(), groupPath);
    const auto layers = readKerasList(file, group.get(), groupPath, "layer_names");
    if (!layers)
        throw FileError(file.path(),
                        "Keras group '" + groupPath + "' has no layer_names attribute");
    for (const std::string& layer : *layers) {
        if (layer.empty() || file.childType(group.get(), layer) != H5O_TYPE_GROUP)
            throw FileError(file.path(), "layer '" + layer + "' listed in layer_names of '" +
                                             groupPath + "' has no group");
        const std::string layerPath = joinPath(groupPath, layer);
        Hdf5Handle layerGroup = file.openGroup(group.get(), layer);
        const auto weights = readKerasList(file, layerGroup.get(), layerPath, "weight_names");
        if (!weights)
            throw FileError(file.path(),
                            "Keras layer group '" + layerPath + "' has no weight_names attribute");
        for (const std::string& weight : *weights)
            layout.weights.push_back({layer + "/" + weight, joinPath(layerPath, weight),
                                      endsWith(weight, "kernel") || endsWith(weight, "kernel:0")});
    }
    return layout;
}

// Dataset names in a Keras 3 "vars" group are variable indices: order them as numbers.
void sortVariableIndices(std::vector<std::string>& names) {
    auto numeric = [](const std::string& name) {
        return !name.empty() && name.size() < 10 &&
               std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; });
    };
    std::stable_sort(names.begin(), names.end(), [&](const std::string& a, const std::string& b) {
        const bool na = numeric(a), nb = numeric(b);
        if (na && nb)
            return std::stoul(a) < std::stoul(b);
        return na && !nb;
    });
}

// Adds the variables of every "vars" group at or below `groupPath`, depth first in name order.
void collectKeras3Variables(const Hdf5File& file, const std::string& groupPath, int depth,
                            std::vector<Hdf5Weight>& out) {
    if (depth > kMaxKerasDepth)
        throw FileError(file.path(), "groups under '" + groupPath + "' nest deeper than " +
                                         std::to_string(kMaxKerasDepth) + " levels");
    Hdf5Handle group = file.openGroup(file.root(), groupPath);
    for (const std::string& child : file.childNames(group.get(), groupPath)) {
        if (file.childType(group.get(), child) != H5O_TYPE_GROUP)
            continue;
        const std::string childPath = groupPath + "/" + child;
        if (child != "vars") {
            collectKeras3Variables(file, childPath, depth + 1, out);
            continue;
        }
        Hdf5Handle vars = file.openGroup(group.get(), child);
        std::vector<std::string> names = file.childNames(vars.get(), childPath);
        sortVariableIndices(names);
        for (const std::string& name : names)
            if (file.childType(vars.get(), name) == H5O_TYPE_DATASET)
                out.push_back({childPath + "/" + name, childPath + "/" + name, true});
    }
}

Hdf5Layout genericLayout(const Hdf5File& file) {
    Hdf5Layout layout;
    layout.format = "hdf5";
    for (const std::string& path : file.datasetPaths())
        layout.weights.push_back({path, path, false});
    return layout;
}

} // namespace

Hdf5Layout readHdf5Layout(const Hdf5File& file) {
    const hid_t root = file.root();
    if (file.childType(root, "model_weights") == H5O_TYPE_GROUP)
        return kerasLegacyLayout(file, "model_weights");
    if (file.hasAttribute(root, "layer_names") || file.hasAttribute(root, "layer_names0"))
        return kerasLegacyLayout(file, "/");
    if (file.childType(root, "layers") == H5O_TYPE_GROUP) {
        Hdf5Layout layout;
        layout.format = "keras3-weights-h5";
        layout.everyWeightRequired = true;
        collectKeras3Variables(file, "layers", 0, layout.weights);
        if (!layout.weights.empty())
            return layout;
    }
    return genericLayout(file);
}

} // namespace bitlens

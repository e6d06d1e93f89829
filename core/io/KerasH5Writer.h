// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace bitlens {

// One float32 weight of a layer, in Keras' stored layout (Dense kernel [in, out]).
struct KerasWeightData {
    std::string name; // "kernel:0", "bias:0"
    std::vector<uint64_t> shape;
    std::vector<float> values;
};

// A layer as Keras saves it; layers without weights (Flatten) are listed too.
struct KerasLayerData {
    std::string name;
    std::vector<KerasWeightData> weights;
};

// Writes a Keras 2 legacy HDF5 model file: root attributes keras_version, backend and
// model_config (JSON), group model_weights with attribute layer_names and per layer a group with
// attribute weight_names ("dense/kernel:0", ...) and contiguous datasets
// model_weights/<layer>/<layer>/<weight>. The file is built in memory and written with
// AtomicFile: on any error (FileError naming the path) nothing is left behind.
void writeKerasH5(const std::filesystem::path& path, const nlohmann::json& modelConfig,
                  const std::vector<KerasLayerData>& layers);

} // namespace bitlens

// SPDX-License-Identifier: MIT
#pragma once

#include "core/io/Hdf5File.h"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace bitlens {

// One dataset that becomes a tensor.
struct Hdf5Weight {
    std::string tensorName;
    std::string datasetPath;   // from the file's root
    bool kernelLayout = false; // Keras kernel: channels last when the dataset has 2+ dims
};

// Which datasets of an HDF5 file are weights, and what the file says about the model.
struct Hdf5Layout {
    std::string format; // "keras-h5", "keras3-weights-h5" or "hdf5"
    std::vector<Hdf5Weight> weights;
    // Keras lists its weights, so a weight BitLens cannot read is an error; a generic file's
    // non-numeric datasets (strings, compounds) are skipped instead.
    bool everyWeightRequired = false;
    nlohmann::json metadata = nlohmann::json::object();
    nlohmann::json model = nlohmann::json::object();
};

// Tells the three layouts apart: Keras 2 (layer_names on "model_weights" or on the root), Keras 3
// (.weights.h5: "layers/<name>/vars/<i>"), otherwise every dataset of the file.
Hdf5Layout readHdf5Layout(const Hdf5File& file);

} // namespace bitlens

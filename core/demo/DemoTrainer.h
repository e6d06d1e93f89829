// SPDX-License-Identifier: MIT
#pragma once

#include "core/backend/QuantBackend.h"
#include "core/eval/IdxDataset.h"

#include <cstdint>
#include <filesystem>
#include <vector>

namespace bitlens {

struct DemoTrainingOptions {
    uint32_t epochs = 5;
    uint64_t seed = 1;
    uint32_t batchSize = 64;
    float learningRate = 1e-3f;                // Adam
    std::vector<uint32_t> hidden = {256, 128}; // ReLU Dense layers before the softmax layer
};

struct DemoTrainingResult {
    std::vector<double> epochLoss; // mean training cross-entropy per epoch
    double testAccuracy = 0;       // float32 top-1 on the test set
};

// Trains BitLens' demo classifier (Flatten -> Dense ReLU ... -> Dense softmax, inputs pixel / 255)
// with Adam on mini-batches of `train` and writes it as a Keras HDF5 file (writeKerasH5) to
// `output`. Deterministic: the same data, options and seed give the same bytes on any number of
// threads (fixed summation order, own uniform/shuffle from std::mt19937_64). Progress is reported
// in mini-batches; returning false throws Cancelled and writes nothing.
DemoTrainingResult trainDemoClassifier(const IdxDataset& train, const IdxDataset& test,
                                       const std::filesystem::path& output,
                                       const DemoTrainingOptions& options,
                                       const ProgressFn& progress = {});

} // namespace bitlens

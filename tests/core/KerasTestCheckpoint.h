// SPDX-License-Identifier: MIT
#pragma once

// Builds small Keras-like checkpoints for tests: float32 tensors written to one raw file in a
// temporary folder and mapped, named "<layer>/<layer>/<role>:0" with Keras' channels-last
// layout, plus a model_config in the metadata.

#include "core/io/Checkpoint.h"

#include <QTemporaryDir>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace bitlens::test {

struct TestTensor {
    std::string name;
    std::vector<uint64_t> shape;
    std::vector<float> values;
};

inline std::unique_ptr<Checkpoint> makeKerasCheckpoint(const QTemporaryDir& dir,
                                                       const nlohmann::json& modelConfig,
                                                       const std::vector<TestTensor>& tensors) {
    const std::string path = dir.filePath("weights.bin").toStdString();
    {
        std::ofstream file(path, std::ios::binary | std::ios::trunc);
        for (const TestTensor& tensor : tensors)
            file.write(reinterpret_cast<const char*>(tensor.values.data()),
                       std::streamsize(tensor.values.size() * sizeof(float)));
    }
    auto checkpoint = std::make_unique<Checkpoint>(path, "test");
    const uint32_t file = checkpoint->addFile(MappedFile(path));
    uint64_t offset = 0;
    for (const TestTensor& tensor : tensors) {
        TensorInfo info;
        info.name = tensor.name;
        info.shape = tensor.shape;
        info.fileIndex = file;
        info.offset = offset;
        info.byteSize = tensor.values.size() * sizeof(float);
        info.channelAxis = tensor.shape.size() >= 2 ? ChannelAxis::Last : ChannelAxis::First;
        offset += info.byteSize;
        checkpoint->addTensor(std::move(info));
    }
    checkpoint->finish();
    checkpoint->mutableMetadata()["model_config"] = modelConfig;
    return checkpoint;
}

// {"class_name": "Sequential", "config": {"layers": [InputLayer(inputShape), layers...]}}
inline nlohmann::json sequentialConfig(const std::vector<uint64_t>& inputShape,
                                       const std::vector<nlohmann::json>& layers) {
    nlohmann::json shape = nlohmann::json::array({nullptr});
    for (uint64_t dim : inputShape)
        shape.push_back(dim);
    nlohmann::json list =
        nlohmann::json::array({{{"class_name", "InputLayer"},
                                {"config", {{"name", "input"}, {"batch_input_shape", shape}}}}});
    for (const nlohmann::json& layer : layers)
        list.push_back(layer);
    return {{"class_name", "Sequential"}, {"config", {{"name", "test"}, {"layers", list}}}};
}

inline nlohmann::json layerJson(const std::string& type, nlohmann::json config) {
    return {{"class_name", type}, {"config", std::move(config)}};
}

} // namespace bitlens::test

// SPDX-License-Identifier: MIT
#pragma once

#include "core/tensor/DType.h"

#include <QFile>
#include <QString>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

namespace bitlens::test {

struct SafetensorsTensor {
    std::string name;
    std::string dtype; // safetensors spelling: "F32", "F16", "BF16" ...
    std::vector<uint64_t> shape;
};

// Writes a small, valid safetensors file (8-byte little-endian header length, JSON header, data)
// holding the tensors in the given order; element k of every tensor has all bytes equal to k % 251.
// Returns false when the file cannot be written.
inline bool writeSafetensors(const QString& path, const std::vector<SafetensorsTensor>& tensors,
                             const nlohmann::json& metadata = nlohmann::json::object()) {
    nlohmann::json header = nlohmann::json::object();
    if (!metadata.empty())
        header["__metadata__"] = metadata;
    std::string data;
    for (const SafetensorsTensor& tensor : tensors) {
        const auto dtype = dtypeFromSafetensorsName(tensor.dtype);
        if (!dtype)
            throw std::invalid_argument("unknown safetensors dtype " + tensor.dtype);
        uint64_t elements = 1;
        for (uint64_t dim : tensor.shape)
            elements *= dim;
        const uint64_t begin = data.size();
        for (uint64_t k = 0; k < elements; ++k)
            data.append(dtypeInfo(*dtype).blockBytes, char(k % 251));
        header[tensor.name] = {{"dtype", tensor.dtype},
                               {"shape", tensor.shape},
                               {"data_offsets", {begin, data.size()}}};
    }
    std::string json = header.dump();
    json.append((8 - json.size() % 8) % 8, ' ');
    std::string bytes(8, '\0');
    for (int i = 0; i < 8; ++i)
        bytes[size_t(i)] = char((uint64_t(json.size()) >> (8 * i)) & 0xff);
    bytes += json + data;
    QFile file(path);
    return file.open(QIODevice::WriteOnly) &&
           file.write(bytes.data(), qint64(bytes.size())) == qint64(bytes.size());
}

} // namespace bitlens::test

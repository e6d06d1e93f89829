// SPDX-License-Identifier: MIT
#pragma once

#include "core/io/TensorPayload.h"

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace bitlens {

// Builds a safetensors file in memory order: tensors in the order added, packed back to back,
// the JSON header padded with spaces to a multiple of 8 bytes.
class SafetensorsWriter {
public:
    // The __metadata__ object (string to string); empty writes none.
    void setMetadata(std::map<std::string, std::string> metadata);
    // Plain element types only (no ggml blocks). Throws Error on a bad payload.
    void addTensor(TensorPayload tensor);
    // Writes atomically (temporary file, then rename); throws FileError naming `path`.
    void write(const std::filesystem::path& path) const;

private:
    std::map<std::string, std::string> metadata_;
    std::vector<TensorPayload> tensors_;
};

} // namespace bitlens

// SPDX-License-Identifier: MIT
#pragma once

#include "core/io/GgufValue.h"
#include "core/io/TensorPayload.h"

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace bitlens {

// Builds a GGUF version 3 file: metadata key/values with exact types, then tensor infos and
// tensor data, each tensor's data aligned to the file's alignment.
class GgufWriter {
public:
    // `alignment` must be a power of two; anything but the default 32 is written as
    // general.alignment. Throws Error otherwise.
    explicit GgufWriter(uint32_t alignment = kGgufDefaultAlignment);

    // Keys are written in the order added and must be unique; general.alignment comes from the
    // constructor. Arrays must hold only elements of their element type. Throws Error.
    void addMetadata(std::string key, GgufValue value);
    // Any dtype ggml knows (F32, F16, BF16, block types given as their raw blocks). Shape is
    // outermost-first, at most 4 dimensions. Throws Error on a bad payload.
    void addTensor(TensorPayload tensor);
    // Writes atomically (temporary file, then rename); throws FileError naming `path`.
    void write(const std::filesystem::path& path) const;

private:
    uint32_t alignment_;
    std::vector<std::pair<std::string, GgufValue>> metadata_;
    std::vector<TensorPayload> tensors_;
};

} // namespace bitlens

// SPDX-License-Identifier: MIT
#pragma once

#include "core/io/CheckpointReader.h"

namespace bitlens {

// GGUF versions 2 and 3 (llama.cpp). Metadata key/values go into Checkpoint::metadata() under
// their GGUF keys; tensors keep the file's order, shapes are outermost-first (ggml ne reversed).
class GgufReader : public CheckpointReader {
public:
    std::string_view formatName() const override { return "gguf"; }
    bool recognizes(const std::filesystem::path& path,
                    std::span<const std::byte> head) const override;
    std::unique_ptr<Checkpoint> open(const std::filesystem::path& path) const override;
};

} // namespace bitlens

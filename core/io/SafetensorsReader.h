// SPDX-License-Identifier: MIT
#pragma once

#include "core/io/CheckpointReader.h"

namespace bitlens {

// Largest safetensors JSON header accepted (the format's own limit).
inline constexpr uint64_t kSafetensorsMaxHeaderBytes = 100'000'000;

// safetensors in three shapes, all format "safetensors":
//  - one file (u64 header length, JSON header, data);
//  - a sharded index (JSON with "weight_map": tensor -> shard file beside the index);
//  - a Hugging Face model folder holding model.safetensors or model.safetensors.index.json.
// A config.json beside the file, index or in the folder goes into metadata()["config"] and
// fills model(). Tensors are listed shard by shard (shards sorted by name) in data-offset order.
class SafetensorsReader : public CheckpointReader {
public:
    std::string_view formatName() const override { return "safetensors"; }
    bool recognizes(const std::filesystem::path& path,
                    std::span<const std::byte> head) const override;
    std::unique_ptr<Checkpoint> open(const std::filesystem::path& path) const override;
};

} // namespace bitlens

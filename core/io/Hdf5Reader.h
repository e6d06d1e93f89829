// SPDX-License-Identifier: MIT
#pragma once

#include "core/io/CheckpointReader.h"

namespace bitlens {

// HDF5 checkpoints: Keras 2 .h5/.hdf5 models and weight files ("keras-h5"), Keras 3
// .weights.h5 ("keras3-weights-h5"), and any other HDF5 file, whose numeric datasets become
// tensors named by their path ("hdf5"). Contiguous little-endian datasets stay on disk (mapped);
// chunked, compressed, compact or big-endian ones are decoded into memory owned by the
// checkpoint, at most kMaxDecodedHdf5Bytes in all.
class Hdf5Reader : public CheckpointReader {
public:
    std::string_view formatName() const override { return "HDF5 / Keras"; }
    bool recognizes(const std::filesystem::path& path,
                    std::span<const std::byte> head) const override;
    std::unique_ptr<Checkpoint> open(const std::filesystem::path& path) const override;
};

inline constexpr uint64_t kMaxDecodedHdf5Bytes = uint64_t(2) << 30;

} // namespace bitlens

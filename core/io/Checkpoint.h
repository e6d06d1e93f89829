// SPDX-License-Identifier: MIT
#pragma once

#include "core/io/MappedFile.h"
#include "core/tensor/DType.h"
#include "core/tensor/MatrixShape.h"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <unordered_map>
#include <vector>

namespace bitlens {

// Which axis of a stored weight holds the output channels. Quantization groups always run along
// the input (reduction) dimension, whatever the memory order.
enum class ChannelAxis : uint8_t {
    First, // PyTorch / safetensors / GGUF: [out, in, ...]; a row is one output channel
    Last,  // Keras: Dense [in, out], Conv2D [kh, kw, in, out]
};

struct TensorInfo {
    std::string name;
    std::vector<uint64_t> shape; // outermost dimension first, row length last
    DType dtype = DType::F32;
    uint32_t fileIndex = 0; // into Checkpoint::files()
    uint64_t offset = 0;    // absolute byte offset in that file
    uint64_t byteSize = 0;  // validated: equals the size implied by shape and dtype
    ChannelAxis channelAxis = ChannelAxis::First;

    uint64_t elementCount() const; // product of shape (1 for a scalar)
};

// The quantizer's view of a tensor (rows = output channels, whatever the memory order).
MatrixShape quantizationShape(const TensorInfo& tensor);

// An opened checkpoint: ordered named tensors whose bytes stay in the mapped files until read,
// plus everything the file says about the model. Readers build it; it is immutable afterwards.
class Checkpoint {
public:
    Checkpoint(std::filesystem::path source, std::string format);

    const std::filesystem::path& source() const { return source_; }
    const std::string& format() const { return format_; } // "safetensors", "gguf", "keras-h5" ...
    const std::vector<TensorInfo>& tensors() const { return tensors_; }
    // The mapped files tensors point into, plus any in-memory source (MappedFile::fromMemory) a
    // reader filled with bytes it had to decode, such as compressed HDF5 datasets.
    const std::vector<MappedFile>& files() const { return files_; }
    // Format-specific metadata (safetensors __metadata__, GGUF key/values, Keras model_config,
    // Hugging Face config.json, llama2.c header), always a JSON object.
    const nlohmann::json& metadata() const { return metadata_; }
    // Architecture and hyper-parameters where known: {"architecture": "llama", "dim": 64, ...}.
    const nlohmann::json& model() const { return model_; }

    // Index of the named tensor, or -1.
    long findTensor(const std::string& name) const;

    // Raw stored bytes of a tensor (mapped, not copied).
    std::span<const std::byte> rawBytes(size_t tensorIndex) const;

    // Converts `count` elements starting at element `first` (memory order) to float32. ggml block
    // types are decoded with their reference decoder (core/quant), whatever block `first` and
    // `count` fall in. Throws FileError naming the file, the tensor and the type for a block type
    // without a decoder (see dtypeConvertibleToFloat).
    void readFloats(size_t tensorIndex, uint64_t first, uint64_t count, float* out) const;

    // The tensor as the quantizer sees it: rows of output channels (transposed for Keras layouts),
    // converted to float32. `rowBegin`/`rowCount` select a slice of rows.
    void readMatrixRows(size_t tensorIndex, uint64_t rowBegin, uint64_t rowCount, float* out) const;

    uint64_t totalParameters() const;
    uint64_t totalBytes() const;

    // Builders, for readers only.
    uint32_t addFile(MappedFile file);
    // Validates byte range, size against shape/dtype and duplicate names; throws FileError.
    void addTensor(TensorInfo tensor);
    // Call once after the last addTensor: rejects tensors whose byte ranges overlap.
    void finish();
    nlohmann::json& mutableMetadata() { return metadata_; }
    nlohmann::json& mutableModel() { return model_; }

private:
    std::filesystem::path source_;
    std::string format_;
    std::vector<MappedFile> files_;
    std::vector<TensorInfo> tensors_;
    std::unordered_map<std::string, size_t> tensorIndexByName_;
    nlohmann::json metadata_ = nlohmann::json::object();
    nlohmann::json model_ = nlohmann::json::object();
};

// True when Checkpoint::readFloats can convert values of this type to float32: every plain type
// and the ggml block types that have a reference decoder (not Q8_1, Q8_K, the IQ grids, TQ).
bool dtypeConvertibleToFloat(DType type);

// Hard caps readers enforce before allocating.
inline constexpr uint64_t kMaxTensorCount = 1u << 20;
inline constexpr uint64_t kMaxDims = 8;
inline constexpr uint64_t kMaxNameLength = 1u << 16;

// Product of dims, throwing FileError(path, ...) naming the tensor on overflow past 2^62.
uint64_t checkedElementCount(const std::vector<uint64_t>& shape, const std::filesystem::path& path,
                             const std::string& tensorName);
// Bytes a tensor of this shape and dtype takes; throws when a block type does not divide the row.
uint64_t checkedByteSize(const std::vector<uint64_t>& shape, DType dtype,
                         const std::filesystem::path& path, const std::string& tensorName);

} // namespace bitlens

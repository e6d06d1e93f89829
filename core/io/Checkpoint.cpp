// SPDX-License-Identifier: MIT
#include "core/io/Checkpoint.h"

#include "core/quant/GgmlBlockCodecs.h"
#include "core/tensor/FloatBits.h"
#include "core/util/Error.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <numeric>
#include <tuple>

namespace bitlens {

uint64_t TensorInfo::elementCount() const {
    uint64_t count = 1;
    for (uint64_t dim : shape)
        count *= dim;
    return count;
}

MatrixShape quantizationShape(const TensorInfo& tensor) {
    if (tensor.shape.empty())
        return {1, 1};
    if (tensor.shape.size() == 1)
        return {1, tensor.shape[0]};
    const uint64_t total = tensor.elementCount();
    if (tensor.channelAxis == ChannelAxis::Last) {
        const uint64_t channels = tensor.shape.back();
        return {channels, channels ? total / channels : 0};
    }
    const uint64_t channels = tensor.shape.front();
    return {channels, channels ? total / channels : 0};
}

uint64_t checkedElementCount(const std::vector<uint64_t>& shape, const std::filesystem::path& path,
                             const std::string& tensorName) {
    constexpr uint64_t kLimit = uint64_t(1) << 62;
    uint64_t count = 1;
    for (uint64_t dim : shape) {
        if (dim != 0 && count > kLimit / dim)
            throw FileError(path, "tensor '" + tensorName +
                                      "': shape overflows (product of dims "
                                      "exceeds 2^62)");
        count *= dim;
    }
    return count;
}

uint64_t checkedByteSize(const std::vector<uint64_t>& shape, DType dtype,
                         const std::filesystem::path& path, const std::string& tensorName) {
    const uint64_t count = checkedElementCount(shape, path, tensorName);
    const DTypeInfo& info = dtypeInfo(dtype);
    if (info.blockElements > 1) {
        const uint64_t rowLength = shape.empty() ? 1 : shape.back();
        if (rowLength % info.blockElements != 0)
            throw FileError(path, "tensor '" + tensorName + "': row length " +
                                      std::to_string(rowLength) + " is not a multiple of the " +
                                      std::string(info.name) + " block size " +
                                      std::to_string(info.blockElements));
    }
    return count / info.blockElements * info.blockBytes;
}

Checkpoint::Checkpoint(std::filesystem::path source, std::string format)
    : source_(std::move(source)), format_(std::move(format)) {}

long Checkpoint::findTensor(const std::string& name) const {
    const auto found = tensorIndexByName_.find(name);
    return found == tensorIndexByName_.end() ? -1 : long(found->second);
}

uint32_t Checkpoint::addFile(MappedFile file) {
    files_.push_back(std::move(file));
    return uint32_t(files_.size() - 1);
}

void Checkpoint::addTensor(TensorInfo tensor) {
    if (tensor.fileIndex >= files_.size())
        throw Error("internal: tensor '" + tensor.name + "' refers to an unknown file");
    const MappedFile& file = files_[tensor.fileIndex];
    if (tensors_.size() >= kMaxTensorCount)
        throw FileError(file.path(), "more than " + std::to_string(kMaxTensorCount) + " tensors");
    if (tensor.shape.size() > kMaxDims)
        throw FileError(file.path(), "tensor '" + tensor.name + "' has " +
                                         std::to_string(tensor.shape.size()) +
                                         " dimensions (at most 8 supported)");
    const uint64_t expected = checkedByteSize(tensor.shape, tensor.dtype, file.path(), tensor.name);
    if (tensor.byteSize != expected)
        throw FileError(file.path(), "tensor '" + tensor.name + "' has " +
                                         std::to_string(tensor.byteSize) + " bytes but its shape " +
                                         "and dtype need " + std::to_string(expected));
    if (tensor.offset > file.size() || tensor.byteSize > file.size() - tensor.offset)
        throw FileError(file.path(), "tensor '" + tensor.name + "' data (offset " +
                                         std::to_string(tensor.offset) + ", " +
                                         std::to_string(tensor.byteSize) +
                                         " bytes) lies outside the file (" +
                                         std::to_string(file.size()) + " bytes)");
    if (findTensor(tensor.name) >= 0)
        throw FileError(file.path(), "duplicate tensor name '" + tensor.name + "'");
    tensorIndexByName_.emplace(tensor.name, tensors_.size());
    tensors_.push_back(std::move(tensor));
}

void Checkpoint::finish() {
    std::vector<size_t> order(tensors_.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        const TensorInfo& x = tensors_[a];
        const TensorInfo& y = tensors_[b];
        return std::tie(x.fileIndex, x.offset) < std::tie(y.fileIndex, y.offset);
    });
    for (size_t k = 1; k < order.size(); ++k) {
        const TensorInfo& previous = tensors_[order[k - 1]];
        const TensorInfo& current = tensors_[order[k]];
        if (previous.fileIndex == current.fileIndex && previous.byteSize > 0 &&
            current.byteSize > 0 && previous.offset + previous.byteSize > current.offset)
            throw FileError(files_[current.fileIndex].path(), "tensors '" + previous.name +
                                                                  "' and '" + current.name +
                                                                  "' overlap in the file");
    }
}

std::span<const std::byte> Checkpoint::rawBytes(size_t tensorIndex) const {
    const TensorInfo& tensor = tensors_.at(tensorIndex);
    return files_[tensor.fileIndex].range(tensor.offset, tensor.byteSize);
}

namespace {

template <typename T> T loadUnaligned(const std::byte* p) {
    T value;
    std::memcpy(&value, p, sizeof(T));
    return value;
}

float elementToFloat(DType dtype, const std::byte* p) {
    switch (dtype) {
    case DType::F64:
        return float(loadUnaligned<double>(p));
    case DType::F32:
        return loadUnaligned<float>(p);
    case DType::F16:
        return halfToFloat(loadUnaligned<uint16_t>(p));
    case DType::BF16:
        return bf16ToFloat(loadUnaligned<uint16_t>(p));
    case DType::F8_E4M3:
        return e4m3ToFloat(uint8_t(*p));
    case DType::F8_E5M2:
        return e5m2ToFloat(uint8_t(*p));
    case DType::I8:
        return float(loadUnaligned<int8_t>(p));
    case DType::U8:
        return float(loadUnaligned<uint8_t>(p));
    case DType::I16:
        return float(loadUnaligned<int16_t>(p));
    case DType::U16:
        return float(loadUnaligned<uint16_t>(p));
    case DType::I32:
        return float(loadUnaligned<int32_t>(p));
    case DType::U32:
        return float(loadUnaligned<uint32_t>(p));
    case DType::I64:
        return float(loadUnaligned<int64_t>(p));
    case DType::U64:
        return float(loadUnaligned<uint64_t>(p));
    case DType::Bool:
        return *p != std::byte{0} ? 1.0f : 0.0f;
    default:
        return 0.0f; // unreachable: block types are decoded by their codec
    }
}

// Decodes the ggml blocks that hold elements [first, first + count) of a tensor whose blocks
// start at `blocks`; the first and last block may be decoded only in part.
void decodeBlockRange(const ggml::BlockCodec& codec, const std::byte* blocks, uint64_t first,
                      uint64_t count, float* out) {
    const DTypeInfo& info = dtypeInfo(codec.dtype);
    const uint64_t length = info.blockElements;
    std::array<float, ggml::kMaxBlockElements> scratch{};
    uint64_t done = 0;
    while (done < count) {
        const uint64_t element = first + done;
        const uint64_t within = element % length;
        const uint64_t take = std::min(length - within, count - done);
        const auto* block =
            reinterpret_cast<const uint8_t*>(blocks) + element / length * info.blockBytes;
        if (take == length) {
            codec.decode(block, out + done);
        } else {
            codec.decode(block, scratch.data());
            std::copy_n(scratch.data() + within, take, out + done);
        }
        done += take;
    }
}

} // namespace

bool dtypeConvertibleToFloat(DType type) {
    return !dtypeInfo(type).isGgmlBlock || ggml::blockCodecFor(type) != nullptr;
}

void Checkpoint::readFloats(size_t tensorIndex, uint64_t first, uint64_t count, float* out) const {
    const TensorInfo& tensor = tensors_.at(tensorIndex);
    const uint64_t total = tensor.elementCount();
    if (first > total || count > total - first)
        throw Error("internal: element range outside tensor '" + tensor.name + "'");
    const DTypeInfo& info = dtypeInfo(tensor.dtype);
    if (info.isGgmlBlock) {
        const ggml::BlockCodec* codec = ggml::blockCodecFor(tensor.dtype);
        if (!codec)
            throw FileError(files_[tensor.fileIndex].path(),
                            "tensor '" + tensor.name + "' is stored as " + std::string(info.name) +
                                ", a ggml block type BitLens cannot decode");
        decodeBlockRange(*codec, rawBytes(tensorIndex).data(), first, count, out);
        return;
    }
    const uint32_t width = info.blockBytes;
    const auto bytes = files_[tensor.fileIndex].range(tensor.offset + first * width, count * width);
    if (tensor.dtype == DType::F32) {
        std::memcpy(out, bytes.data(), count * sizeof(float));
        return;
    }
    for (uint64_t i = 0; i < count; ++i)
        out[i] = elementToFloat(tensor.dtype, bytes.data() + i * width);
}

void Checkpoint::readMatrixRows(size_t tensorIndex, uint64_t rowBegin, uint64_t rowCount,
                                float* out) const {
    const TensorInfo& tensor = tensors_.at(tensorIndex);
    const MatrixShape matrix = quantizationShape(tensor);
    if (rowBegin > matrix.rows || rowCount > matrix.rows - rowBegin)
        throw Error("internal: row range outside tensor '" + tensor.name + "'");
    if (tensor.channelAxis == ChannelAxis::First || tensor.shape.size() < 2) {
        readFloats(tensorIndex, rowBegin * matrix.rowLength, rowCount * matrix.rowLength, out);
        return;
    }
    // Channels last: memory row c holds input position c of every channel.
    std::vector<float> line(rowCount);
    for (uint64_t c = 0; c < matrix.rowLength; ++c) {
        readFloats(tensorIndex, c * matrix.rows + rowBegin, rowCount, line.data());
        for (uint64_t r = 0; r < rowCount; ++r)
            out[r * matrix.rowLength + c] = line[r];
    }
}

uint64_t Checkpoint::totalParameters() const {
    uint64_t total = 0;
    for (const TensorInfo& tensor : tensors_)
        total += tensor.elementCount();
    return total;
}

uint64_t Checkpoint::totalBytes() const {
    uint64_t total = 0;
    for (const TensorInfo& tensor : tensors_)
        total += tensor.byteSize;
    return total;
}

} // namespace bitlens

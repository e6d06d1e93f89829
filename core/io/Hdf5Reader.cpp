// SPDX-License-Identifier: MIT
#include "core/io/Hdf5Reader.h"

#include "core/io/Hdf5File.h"
#include "core/io/Hdf5Layout.h"
#include "core/util/Error.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <optional>
#include <tuple>

namespace bitlens {

namespace {

constexpr std::array<unsigned char, 8> kSignature = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
// HDF5 looks for its signature after a user block of 512, 1024, 2048, ... bytes.
constexpr std::array<size_t, 4> kSignatureOffsets = {0, 512, 1024, 2048};
// Decoded tensors start on this boundary inside the in-memory buffer.
constexpr uint64_t kDecodedAlignment = 64;

std::string typeClassName(H5T_class_t typeClass) {
    switch (typeClass) {
    case H5T_INTEGER:
        return "integer";
    case H5T_FLOAT:
        return "float";
    case H5T_TIME:
        return "time";
    case H5T_STRING:
        return "string";
    case H5T_BITFIELD:
        return "bitfield";
    case H5T_OPAQUE:
        return "opaque";
    case H5T_COMPOUND:
        return "compound";
    case H5T_REFERENCE:
        return "reference";
    case H5T_ENUM:
        return "enum";
    case H5T_VLEN:
        return "variable-length";
    case H5T_ARRAY:
        return "array";
    default:
        return "unknown";
    }
}

// IEEE binary16/32/64 and bfloat16 as HDF5 describes them: sign position, exponent position and
// size, mantissa position and size, exponent bias.
struct FloatLayout {
    size_t size, signPosition, exponentPosition, exponentSize, mantissaPosition, mantissaSize;
    size_t exponentBias;
    DType dtype;

    auto fields() const {
        return std::tie(size, signPosition, exponentPosition, exponentSize, mantissaPosition,
                        mantissaSize, exponentBias);
    }
};
constexpr std::array<FloatLayout, 4> kFloatLayouts = {{
    {2, 15, 10, 5, 0, 10, 15, DType::F16},
    {2, 15, 7, 8, 0, 7, 127, DType::BF16},
    {4, 31, 23, 8, 0, 23, 127, DType::F32},
    {8, 63, 52, 11, 0, 52, 1023, DType::F64},
}};

std::optional<DType> floatDType(hid_t type) {
    FloatLayout found{};
    found.size = H5Tget_size(type);
    found.exponentBias = H5Tget_ebias(type);
    if (H5Tget_fields(type, &found.signPosition, &found.exponentPosition, &found.exponentSize,
                      &found.mantissaPosition, &found.mantissaSize) < 0)
        return std::nullopt;
    for (const FloatLayout& layout : kFloatLayouts)
        if (layout.fields() == found.fields())
            return layout.dtype;
    return std::nullopt;
}

std::optional<DType> integerDType(hid_t type) {
    const size_t size = H5Tget_size(type);
    if (H5Tget_precision(type) != size * 8 || H5Tget_offset(type) != 0)
        return std::nullopt;
    const bool isSigned = H5Tget_sign(type) == H5T_SGN_2;
    switch (size) {
    case 1:
        return isSigned ? DType::I8 : DType::U8;
    case 2:
        return isSigned ? DType::I16 : DType::U16;
    case 4:
        return isSigned ? DType::I32 : DType::U32;
    case 8:
        return isSigned ? DType::I64 : DType::U64;
    default:
        return std::nullopt;
    }
}

// h5py stores numpy bool as an enum over int8 with FALSE = 0 and TRUE = 1.
bool isBoolEnum(hid_t type) {
    if (H5Tget_size(type) != 1 || H5Tget_nmembers(type) != 2)
        return false;
    int8_t values[2] = {-1, -1};
    if (H5Tget_member_value(type, 0, &values[0]) < 0 ||
        H5Tget_member_value(type, 1, &values[1]) < 0)
        return false;
    return std::min(values[0], values[1]) == 0 && std::max(values[0], values[1]) == 1;
}

std::optional<DType> dtypeOf(hid_t type) {
    switch (H5Tget_class(type)) {
    case H5T_FLOAT:
        return floatDType(type);
    case H5T_INTEGER:
        return integerDType(type);
    case H5T_ENUM:
        return isBoolEnum(type) ? std::optional(DType::Bool) : std::nullopt;
    default:
        return std::nullopt;
    }
}

// A tensor as planned: either mapped from the .h5 file or to be decoded into memory.
struct PlannedTensor {
    TensorInfo info;
    std::string datasetPath;
    bool decoded = false;
};

// Reads one dataset's type, shape and storage. nullopt: a dataset a generic file may skip.
std::optional<PlannedTensor> planTensor(const Hdf5File& file, const Hdf5Weight& weight,
                                        bool required, uint32_t mappedFileIndex) {
    const std::string what = "dataset '" + weight.datasetPath + "'";
    Hdf5Handle dataset = file.openDataset(file.root(), weight.datasetPath);
    Hdf5Handle type(H5Dget_type(dataset.get()), H5Tclose);
    if (!type.valid())
        file.fail("cannot read the type of " + what);
    Hdf5Handle space(H5Dget_space(dataset.get()), H5Sclose);
    if (!space.valid())
        file.fail("cannot read the shape of " + what);

    const H5T_class_t typeClass = H5Tget_class(type.get());
    const std::optional<DType> dtype = dtypeOf(type.get());
    if (!dtype) {
        if (!required && typeClass != H5T_INTEGER && typeClass != H5T_FLOAT)
            return std::nullopt;
        throw FileError(file.path(), what + " has a type BitLens cannot read (" +
                                         typeClassName(typeClass) + " of " +
                                         std::to_string(H5Tget_size(type.get())) + " bytes)");
    }
    if (H5Sget_simple_extent_type(space.get()) == H5S_NULL) {
        if (!required)
            return std::nullopt;
        throw FileError(file.path(), what + " holds no data (null dataspace)");
    }
    const int rank = H5Sget_simple_extent_ndims(space.get());
    if (rank < 0)
        file.fail("cannot read the shape of " + what);
    if (uint64_t(rank) > kMaxDims)
        throw FileError(file.path(), what + " has " + std::to_string(rank) +
                                         " dimensions (at most " + std::to_string(kMaxDims) +
                                         " supported)");
    std::array<hsize_t, kMaxDims> dims{};
    if (H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr) < 0)
        file.fail("cannot read the shape of " + what);

    PlannedTensor planned;
    planned.datasetPath = weight.datasetPath;
    TensorInfo& info = planned.info;
    info.name = weight.tensorName;
    info.shape.assign(dims.begin(), dims.begin() + rank);
    info.dtype = *dtype;
    info.byteSize = checkedByteSize(info.shape, info.dtype, file.path(), info.name);
    info.channelAxis = weight.kernelLayout && rank >= 2 ? ChannelAxis::Last : ChannelAxis::First;

    Hdf5Handle creation(H5Dget_create_plist(dataset.get()), H5Pclose);
    if (!creation.valid())
        file.fail("cannot read the storage of " + what);
    const H5D_layout_t layout = H5Pget_layout(creation.get());
    const int externalFiles = H5Pget_external_count(creation.get());
    if (layout < 0 || externalFiles < 0)
        file.fail("cannot read the storage of " + what);
    if (layout == H5D_VIRTUAL || externalFiles > 0)
        throw FileError(file.path(), what + " keeps its data in other files, which BitLens does "
                                            "not follow");
    const bool littleEndian =
        H5Tget_size(type.get()) == 1 || H5Tget_order(type.get()) == H5T_ORDER_LE;
    if (layout == H5D_CONTIGUOUS && littleEndian) {
        const haddr_t address = H5Dget_offset(dataset.get());
        if (address != HADDR_UNDEF && H5Dget_storage_size(dataset.get()) == info.byteSize) {
            info.fileIndex = mappedFileIndex;
            info.offset = address;
            return planned;
        }
    }
    H5Eclear2(H5E_DEFAULT); // H5Dget_offset leaves an error for storage that has no address
    planned.decoded = true;
    return planned;
}

// Decodes a dataset (chunks, filters, byte order) into `out`, little-endian, byteSize bytes.
void decodeDataset(const Hdf5File& file, const std::string& datasetPath, std::byte* out) {
    const std::string what = "dataset '" + datasetPath + "'";
    Hdf5Handle dataset = file.openDataset(file.root(), datasetPath);
    Hdf5Handle fileType(H5Dget_type(dataset.get()), H5Tclose);
    if (!fileType.valid())
        file.fail("cannot read the type of " + what);
    Hdf5Handle memoryType(H5Tcopy(fileType.get()), H5Tclose); // the dataset's own is read-only
    if (!memoryType.valid())
        file.fail("cannot prepare to read " + what);
    if (H5Tget_size(memoryType.get()) > 1 && H5Tset_order(memoryType.get(), H5T_ORDER_LE) < 0)
        file.fail("cannot prepare to read " + what);
    if (H5Dread(dataset.get(), memoryType.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, out) < 0)
        file.fail("cannot read " + what);
}

} // namespace

bool Hdf5Reader::recognizes(const std::filesystem::path&, std::span<const std::byte> head) const {
    for (size_t offset : kSignatureOffsets)
        if (head.size() >= offset + kSignature.size() &&
            std::memcmp(head.data() + offset, kSignature.data(), kSignature.size()) == 0)
            return true;
    return false;
}

std::unique_ptr<Checkpoint> Hdf5Reader::open(const std::filesystem::path& path) const {
    const Hdf5File file(path);
    Hdf5Layout layout = readHdf5Layout(file);
    auto checkpoint = std::make_unique<Checkpoint>(path, layout.format);
    checkpoint->mutableMetadata() = std::move(layout.metadata);
    checkpoint->mutableModel() = std::move(layout.model);
    const uint32_t mappedFileIndex = checkpoint->addFile(MappedFile(path));

    std::vector<PlannedTensor> planned;
    uint64_t decodedBytes = 0;
    for (const Hdf5Weight& weight : layout.weights) {
        std::optional<PlannedTensor> tensor =
            planTensor(file, weight, layout.everyWeightRequired, mappedFileIndex);
        if (!tensor)
            continue;
        if (tensor->decoded) {
            const uint64_t offset =
                (decodedBytes + kDecodedAlignment - 1) / kDecodedAlignment * kDecodedAlignment;
            if (tensor->info.byteSize > kMaxDecodedHdf5Bytes ||
                offset > kMaxDecodedHdf5Bytes - tensor->info.byteSize)
                throw FileError(path, "chunked, compressed or big-endian datasets need more than " +
                                          std::to_string(kMaxDecodedHdf5Bytes >> 30) +
                                          " GiB decoded in memory (at " + tensor->datasetPath +
                                          "); store them contiguous, e.g. h5repack -l CONTI");
            tensor->info.offset = offset;
            decodedBytes = offset + tensor->info.byteSize;
        }
        planned.push_back(std::move(*tensor));
    }

    const bool anyDecoded =
        std::any_of(planned.begin(), planned.end(), [](const auto& t) { return t.decoded; });
    if (anyDecoded) {
        std::vector<std::byte> buffer(decodedBytes);
        for (const PlannedTensor& tensor : planned)
            if (tensor.decoded)
                decodeDataset(file, tensor.datasetPath, buffer.data() + tensor.info.offset);
        const uint32_t decodedFileIndex =
            checkpoint->addFile(MappedFile::fromMemory(path, std::move(buffer)));
        for (PlannedTensor& tensor : planned)
            if (tensor.decoded)
                tensor.info.fileIndex = decodedFileIndex;
    }
    for (PlannedTensor& tensor : planned)
        checkpoint->addTensor(std::move(tensor.info));
    checkpoint->finish();
    return checkpoint;
}

} // namespace bitlens

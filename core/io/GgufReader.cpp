// SPDX-License-Identifier: MIT
#include "core/io/GgufReader.h"

#include "core/io/ByteCursor.h"
#include "core/io/GgufValue.h"
#include "core/util/Error.h"
#include "core/util/Utf8.h"

#include <cstring>

namespace bitlens {
namespace {

constexpr uint64_t kMaxValueStringLength = uint64_t(64) << 20;
constexpr int kMaxArrayNesting = 8;
constexpr uint32_t kMaxGgufDims = 4;
// name length, n_dims, ggml type, offset: the smallest tensor info.
constexpr uint64_t kMinTensorInfoBytes = 8 + 4 + 4 + 8;
// key length, value type, one byte of value: the smallest key/value pair.
constexpr uint64_t kMinKeyValueBytes = 8 + 4 + 1;

std::string inQuotes(const std::string& text) {
    return "'" + text + "'";
}

std::string readGgufString(ByteCursor& cursor, uint64_t maxLength, const std::string& field) {
    const uint64_t length = cursor.read<uint64_t>(field + " length");
    if (length > maxLength)
        cursor.fail(field, "length " + std::to_string(length) + " exceeds the limit of " +
                               std::to_string(maxLength) + " bytes");
    return cursor.readString(length, field);
}

// A name (key or tensor name): bounded, non-empty, valid UTF-8.
std::string readGgufName(ByteCursor& cursor, const std::string& field) {
    std::string name = readGgufString(cursor, kMaxNameLength, field);
    if (name.empty())
        cursor.fail(field, "empty");
    if (!isValidUtf8(name))
        cursor.fail(field, "not valid UTF-8");
    return name;
}

GgufType readValueType(ByteCursor& cursor, const std::string& field) {
    const uint32_t id = cursor.read<uint32_t>(field);
    if (id >= kGgufTypeCount)
        cursor.fail(field, "unknown GGUF value type " + std::to_string(id));
    return static_cast<GgufType>(id);
}

GgufValue readValue(ByteCursor& cursor, GgufType type, const std::string& key, int depth) {
    const std::string field = "value of " + inQuotes(key);
    switch (type) {
    case GgufType::UInt8:
        return {cursor.read<uint8_t>(field)};
    case GgufType::Int8:
        return {cursor.read<int8_t>(field)};
    case GgufType::UInt16:
        return {cursor.read<uint16_t>(field)};
    case GgufType::Int16:
        return {cursor.read<int16_t>(field)};
    case GgufType::UInt32:
        return {cursor.read<uint32_t>(field)};
    case GgufType::Int32:
        return {cursor.read<int32_t>(field)};
    case GgufType::Float32:
        return {cursor.read<float>(field)};
    case GgufType::UInt64:
        return {cursor.read<uint64_t>(field)};
    case GgufType::Int64:
        return {cursor.read<int64_t>(field)};
    case GgufType::Float64:
        return {cursor.read<double>(field)};
    case GgufType::Bool: {
        const uint8_t byte = cursor.read<uint8_t>(field);
        if (byte > 1)
            cursor.fail(field, "boolean byte is " + std::to_string(byte) + ", not 0 or 1");
        return {byte == 1};
    }
    case GgufType::String: {
        // GGUF strings are UTF-8; anything else could not be shown or exported as JSON.
        std::string text = readGgufString(cursor, kMaxValueStringLength, field);
        if (!isValidUtf8(text))
            cursor.fail(field, "string is not valid UTF-8");
        return {std::move(text)};
    }
    case GgufType::Array: {
        GgufArray array;
        array.elementType = readValueType(cursor, "element type of " + inQuotes(key));
        if (array.elementType == GgufType::Array && depth + 1 >= kMaxArrayNesting)
            cursor.fail(field, "arrays nested deeper than " + std::to_string(kMaxArrayNesting));
        const uint64_t count = cursor.read<uint64_t>("element count of " + inQuotes(key));
        if (count > cursor.remaining() / ggufMinimumValueSize(array.elementType))
            cursor.fail(field, "array of " + std::to_string(count) + " " +
                                   std::string(ggufTypeName(array.elementType)) +
                                   " elements does not fit in the " +
                                   std::to_string(cursor.remaining()) + " bytes left");
        array.elements.reserve(count);
        for (uint64_t i = 0; i < count; ++i)
            array.elements.push_back(readValue(cursor, array.elementType, key, depth + 1));
        return {std::move(array)};
    }
    }
    cursor.fail(field, "unknown GGUF value type"); // unreachable: readValueType checked the id
}

uint32_t checkedAlignment(ByteCursor& cursor, const GgufValue& value) {
    const std::string field(kGgufAlignmentKey);
    if (value.type() != GgufType::UInt32)
        cursor.fail(field, "must be a UINT32, not " + std::string(ggufTypeName(value.type())));
    const uint32_t alignment = std::get<uint32_t>(value.data);
    if (alignment == 0 || (alignment & (alignment - 1)) != 0)
        cursor.fail(field, "alignment " + std::to_string(alignment) + " is not a power of two");
    return alignment;
}

TensorInfo readTensorInfo(ByteCursor& cursor) {
    TensorInfo tensor;
    tensor.name = readGgufName(cursor, "tensor name");
    const std::string prefix = "tensor " + inQuotes(tensor.name);
    const uint32_t dims = cursor.read<uint32_t>(prefix + " dimension count");
    if (dims == 0 || dims > kMaxGgufDims)
        cursor.fail(prefix, "has " + std::to_string(dims) + " dimensions (GGUF allows 1 to " +
                                std::to_string(kMaxGgufDims) + ")");
    tensor.shape.resize(dims);
    // ggml stores ne[0] (the row length) first; shapes here are outermost-first.
    for (uint32_t i = 0; i < dims; ++i)
        tensor.shape[dims - 1 - i] = cursor.read<uint64_t>(prefix + " dimension");
    const uint32_t typeId = cursor.read<uint32_t>(prefix + " ggml type");
    const auto dtype = dtypeFromGgmlTypeId(typeId);
    if (!dtype)
        cursor.fail(prefix, "unknown ggml type " + std::to_string(typeId));
    tensor.dtype = *dtype;
    tensor.offset = cursor.read<uint64_t>(prefix + " data offset");
    return tensor;
}

// Hyper-parameters under the names model() uses for every format.
nlohmann::json modelFromMetadata(const nlohmann::json& metadata) {
    nlohmann::json model = nlohmann::json::object();
    const auto architecture = metadata.find("general.architecture");
    if (architecture == metadata.end() || !architecture->is_string())
        return model;
    const std::string arch = architecture->get<std::string>();
    model["architecture"] = arch;
    static const std::pair<const char*, const char*> kKeys[] = {
        {"embedding_length", "dim"},
        {"block_count", "n_layers"},
        {"feed_forward_length", "hidden_dim"},
        {"attention.head_count", "n_heads"},
        {"attention.head_count_kv", "n_kv_heads"},
        {"context_length", "context_length"},
        {"rope.freq_base", "rope_theta"},
    };
    for (const auto& [suffix, name] : kKeys) {
        const auto value = metadata.find(arch + "." + suffix);
        if (value != metadata.end() && value->is_number())
            model[name] = *value;
    }
    const auto tokens = metadata.find("tokenizer.ggml.tokens");
    if (tokens != metadata.end() && tokens->is_array())
        model["vocab_size"] = tokens->size();
    return model;
}

} // namespace

bool GgufReader::recognizes(const std::filesystem::path&, std::span<const std::byte> head) const {
    return head.size() >= sizeof(kGgufMagic) &&
           std::memcmp(head.data(), kGgufMagic, sizeof(kGgufMagic)) == 0;
}

std::unique_ptr<Checkpoint> GgufReader::open(const std::filesystem::path& path) const {
    auto checkpoint = std::make_unique<Checkpoint>(path, "gguf");
    const uint32_t fileIndex = checkpoint->addFile(MappedFile(path));
    const MappedFile& file = checkpoint->files()[fileIndex];
    ByteCursor cursor(file.bytes(), path);

    const auto magic = cursor.readBytes(sizeof(kGgufMagic), "magic");
    if (std::memcmp(magic.data(), kGgufMagic, sizeof(kGgufMagic)) != 0)
        cursor.fail("magic", "not a GGUF file");
    const uint32_t version = cursor.read<uint32_t>("version");
    if (version == 1)
        cursor.fail("version", "GGUF version 1 is not supported (it predates 64-bit counts; "
                               "convert the file with a current llama.cpp)");
    if (version != 2 && version != 3)
        cursor.fail("version", "unsupported GGUF version " + std::to_string(version) +
                                   " (versions 2 and 3 are read)");
    const uint64_t tensorCount = cursor.read<uint64_t>("tensor count");
    if (tensorCount > kMaxTensorCount)
        cursor.fail("tensor count", std::to_string(tensorCount) + " tensors exceed the limit of " +
                                        std::to_string(kMaxTensorCount));
    const uint64_t keyValueCount = cursor.read<uint64_t>("metadata count");
    if (keyValueCount > cursor.remaining() / kMinKeyValueBytes)
        cursor.fail("metadata count", std::to_string(keyValueCount) +
                                          " key/value pairs do not fit in the " +
                                          std::to_string(cursor.remaining()) + " bytes left");

    nlohmann::json& metadata = checkpoint->mutableMetadata();
    uint32_t alignment = kGgufDefaultAlignment;
    for (uint64_t i = 0; i < keyValueCount; ++i) {
        const std::string key = readGgufName(cursor, "metadata key");
        if (metadata.contains(key))
            cursor.fail("metadata key", "duplicate key " + inQuotes(key));
        const GgufType type = readValueType(cursor, "value type of " + inQuotes(key));
        const GgufValue value = readValue(cursor, type, key, 0);
        if (key == kGgufAlignmentKey)
            alignment = checkedAlignment(cursor, value);
        metadata[key] = ggufValueToJson(value);
    }

    if (tensorCount > cursor.remaining() / kMinTensorInfoBytes)
        cursor.fail("tensor count", std::to_string(tensorCount) +
                                        " tensor infos do not fit in the " +
                                        std::to_string(cursor.remaining()) + " bytes left");
    std::vector<TensorInfo> tensors;
    tensors.reserve(tensorCount);
    for (uint64_t i = 0; i < tensorCount; ++i)
        tensors.push_back(readTensorInfo(cursor));

    const uint64_t dataStart = (cursor.offset() + alignment - 1) / alignment * alignment;
    for (TensorInfo& tensor : tensors) {
        const std::string prefix = "tensor " + inQuotes(tensor.name);
        if (tensor.offset % alignment != 0)
            throw FileError(path, prefix + ": data offset " + std::to_string(tensor.offset) +
                                      " is not a multiple of the alignment " +
                                      std::to_string(alignment));
        if (dataStart > file.size() || tensor.offset > file.size() - dataStart)
            throw FileError(path, prefix + ": data offset " + std::to_string(tensor.offset) +
                                      " lies outside the file (data section starts at " +
                                      std::to_string(dataStart) + ", file has " +
                                      std::to_string(file.size()) + " bytes)");
        tensor.fileIndex = fileIndex;
        tensor.offset += dataStart;
        tensor.byteSize = checkedByteSize(tensor.shape, tensor.dtype, path, tensor.name);
        checkpoint->addTensor(std::move(tensor));
    }
    checkpoint->finish();
    checkpoint->mutableModel() = modelFromMetadata(metadata);
    return checkpoint;
}

} // namespace bitlens

// SPDX-License-Identifier: MIT
#include "core/io/SafetensorsReader.h"

#include "core/io/ByteCursor.h"
#include "core/io/HuggingFaceConfig.h"
#include "core/io/JsonText.h"
#include "core/util/Error.h"
#include "core/util/Utf8.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <set>
#include <tuple>

namespace bitlens {
namespace {

namespace fs = std::filesystem;

constexpr uint64_t kMaxIndexBytes = uint64_t(64) << 20;
constexpr uint64_t kMaxConfigBytes = uint64_t(16) << 20;
constexpr std::string_view kMetadataKey = "__metadata__";
constexpr const char* kSingleFileName = "model.safetensors";
constexpr const char* kIndexFileName = "model.safetensors.index.json";

enum class Layout { None, SingleFile, Index, Folder };

bool isSingleFileHead(std::span<const std::byte> head) {
    if (head.size() < 9 || head[8] != std::byte{'{'})
        return false;
    uint64_t headerLength = 0;
    std::memcpy(&headerLength, head.data(), sizeof(headerLength));
    return headerLength >= 2 && headerLength < kSafetensorsMaxHeaderBytes;
}

// A JSON object that mentions "weight_map": checked on the text so that a broken index is
// reported as a broken index, not as an unknown file.
bool isIndexFile(const fs::path& path, std::span<const std::byte> head) {
    const auto first = std::find_if(head.begin(), head.end(), [](std::byte b) {
        return b != std::byte{' '} && b != std::byte{'\n'} && b != std::byte{'\r'} &&
               b != std::byte{'\t'};
    });
    if (first == head.end() || *first != std::byte{'{'})
        return false;
    try {
        const MappedFile file(path);
        const auto bytes = file.bytes().first(std::min<uint64_t>(file.size(), kMaxIndexBytes));
        const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
        return text.find("\"weight_map\"") != std::string_view::npos;
    } catch (const Error&) {
        return false;
    }
}

Layout layoutOf(const fs::path& path, std::span<const std::byte> head) {
    std::error_code error;
    if (fs::is_directory(path, error))
        return fs::is_regular_file(path / kSingleFileName, error) ||
                       fs::is_regular_file(path / kIndexFileName, error)
                   ? Layout::Folder
                   : Layout::None;
    if (isSingleFileHead(head))
        return Layout::SingleFile;
    if (isIndexFile(path, head))
        return Layout::Index;
    return Layout::None;
}

struct HeaderEntry {
    std::string name;
    std::vector<uint64_t> shape;
    DType dtype = DType::F32;
    uint64_t begin = 0;
    uint64_t end = 0;
};

HeaderEntry parseHeaderEntry(const std::string& name, const nlohmann::json& value,
                             uint64_t dataSize, const fs::path& path) {
    const std::string prefix = "tensor '" + name + "'";
    if (name.empty())
        throw FileError(path, "header has a tensor with an empty name");
    if (name.size() > kMaxNameLength)
        throw FileError(path, "header has a tensor name of " + std::to_string(name.size()) +
                                  " bytes (limit " + std::to_string(kMaxNameLength) + ")");
    if (!isValidUtf8(name))
        throw FileError(path, "header has a tensor name that is not valid UTF-8");
    if (!value.is_object())
        throw FileError(path, prefix + ": header entry is not a JSON object");

    HeaderEntry entry;
    entry.name = name;
    const auto dtype = value.find("dtype");
    if (dtype == value.end() || !dtype->is_string())
        throw FileError(path, prefix + ": \"dtype\" is missing or not a string");
    const auto known = dtypeFromSafetensorsName(dtype->get_ref<const std::string&>());
    if (!known)
        throw FileError(path, prefix + ": unknown dtype '" + dtype->get<std::string>() + "'");
    entry.dtype = *known;

    const auto shape = value.find("shape");
    if (shape == value.end() || !shape->is_array())
        throw FileError(path, prefix + ": \"shape\" is missing or not an array");
    if (shape->size() > kMaxDims)
        throw FileError(path, prefix + ": shape has " + std::to_string(shape->size()) +
                                  " dimensions (at most " + std::to_string(kMaxDims) + ")");
    for (const nlohmann::json& dim : *shape) {
        if (!dim.is_number_unsigned())
            throw FileError(path, prefix + ": shape entry " + dim.dump() +
                                      " is not a non-negative integer");
        entry.shape.push_back(dim.get<uint64_t>());
    }

    const auto offsets = value.find("data_offsets");
    if (offsets == value.end() || !offsets->is_array() || offsets->size() != 2 ||
        !(*offsets)[0].is_number_unsigned() || !(*offsets)[1].is_number_unsigned())
        throw FileError(path, prefix + ": \"data_offsets\" must be two non-negative integers");
    entry.begin = (*offsets)[0].get<uint64_t>();
    entry.end = (*offsets)[1].get<uint64_t>();
    if (entry.begin > entry.end)
        throw FileError(path, prefix + ": data_offsets begin " + std::to_string(entry.begin) +
                                  " is after end " + std::to_string(entry.end));
    if (entry.end > dataSize)
        throw FileError(path, prefix + ": data_offsets [" + std::to_string(entry.begin) + ", " +
                                  std::to_string(entry.end) + "] lie outside the data (" +
                                  std::to_string(dataSize) + " bytes)");
    return entry;
}

// Maps one safetensors file into the checkpoint and adds its tensors in data-offset order.
// Returns their names; stores its __metadata__ into `metadata` when that is still null.
std::vector<std::string> addSafetensorsFile(Checkpoint& checkpoint, const fs::path& path,
                                            nlohmann::json& metadata) {
    const uint32_t fileIndex = checkpoint.addFile(MappedFile(path));
    const MappedFile& file = checkpoint.files()[fileIndex];
    ByteCursor cursor(file.bytes(), path);
    const uint64_t headerLength = cursor.read<uint64_t>("header length");
    if (headerLength > kSafetensorsMaxHeaderBytes)
        cursor.fail("header length", std::to_string(headerLength) + " exceeds the limit of " +
                                         std::to_string(kSafetensorsMaxHeaderBytes) + " bytes");
    if (headerLength > cursor.remaining())
        throw FileError(path, "header length " + std::to_string(headerLength) +
                                  " runs past the end of the file (" + std::to_string(file.size()) +
                                  " bytes)");
    const std::string text = cursor.readString(headerLength, "header");
    const uint64_t dataStart = cursor.offset();
    const uint64_t dataSize = cursor.remaining();
    const nlohmann::json header = parseJsonObject(text, path, "header");

    std::vector<HeaderEntry> entries;
    entries.reserve(header.size());
    for (const auto& [name, value] : header.items()) {
        if (name == kMetadataKey) {
            if (!value.is_object() ||
                !std::all_of(value.begin(), value.end(),
                             [](const nlohmann::json& item) { return item.is_string(); }))
                throw FileError(path, "__metadata__ must be an object of strings");
            if (metadata.is_null())
                metadata = value;
            continue;
        }
        entries.push_back(parseHeaderEntry(name, value, dataSize, path));
    }
    std::sort(entries.begin(), entries.end(), [](const HeaderEntry& a, const HeaderEntry& b) {
        return std::tie(a.begin, a.end, a.name) < std::tie(b.begin, b.end, b.name);
    });

    std::vector<std::string> names;
    names.reserve(entries.size());
    for (HeaderEntry& entry : entries) {
        names.push_back(entry.name);
        TensorInfo tensor;
        tensor.name = std::move(entry.name);
        tensor.shape = std::move(entry.shape);
        tensor.dtype = entry.dtype;
        tensor.fileIndex = fileIndex;
        tensor.offset = dataStart + entry.begin;
        tensor.byteSize = entry.end - entry.begin;
        checkpoint.addTensor(std::move(tensor));
    }
    return names;
}

// A shard named by the index, resolved inside the index's folder.
fs::path shardPath(const fs::path& indexPath, const std::string& shard) {
    const fs::path relative(shard);
    const fs::path normal = relative.lexically_normal();
    if (shard.empty() || relative.has_root_name() || relative.has_root_directory() ||
        normal.empty() || *normal.begin() == "..")
        throw FileError(indexPath, "weight_map names shard '" + shard +
                                       "', which is not a file inside the index's folder");
    return indexPath.parent_path() / normal;
}

void addIndexedShards(Checkpoint& checkpoint, const fs::path& indexPath) {
    const nlohmann::json index = readJsonObjectFile(indexPath, kMaxIndexBytes, "index");
    const auto weightMap = index.find("weight_map");
    if (weightMap == index.end() || !weightMap->is_object())
        throw FileError(indexPath, "\"weight_map\" is missing or not an object");
    const auto indexMetadata = index.find("metadata");
    if (indexMetadata != index.end())
        checkpoint.mutableMetadata()["index"] = *indexMetadata;

    std::map<std::string, std::set<std::string>> tensorsByShard;
    for (const auto& [tensor, shard] : weightMap->items()) {
        if (!shard.is_string())
            throw FileError(indexPath, "weight_map entry '" + tensor + "' is not a file name");
        tensorsByShard[shard.get<std::string>()].insert(tensor);
    }
    nlohmann::json shardMetadata;
    for (const auto& [shard, listed] : tensorsByShard) {
        const fs::path path = shardPath(indexPath, shard);
        const std::vector<std::string> stored = addSafetensorsFile(checkpoint, path, shardMetadata);
        for (const std::string& name : stored) {
            if (listed.count(name))
                continue;
            const auto mapped = weightMap->find(name);
            if (mapped == weightMap->end())
                throw FileError(indexPath, "tensor '" + name + "' of shard '" + shard +
                                               "' is not listed in weight_map");
            throw FileError(indexPath, "weight_map puts tensor '" + name + "' in '" +
                                           mapped->get<std::string>() + "' but it is stored in '" +
                                           shard + "'");
        }
        const std::set<std::string> storedSet(stored.begin(), stored.end());
        for (const std::string& name : listed)
            if (!storedSet.count(name))
                throw FileError(indexPath, "weight_map puts tensor '" + name + "' in '" + shard +
                                               "', which does not hold it");
    }
    if (!shardMetadata.is_null())
        checkpoint.mutableMetadata()[std::string(kMetadataKey)] = std::move(shardMetadata);
}

void addSingleFile(Checkpoint& checkpoint, const fs::path& path) {
    nlohmann::json metadata;
    addSafetensorsFile(checkpoint, path, metadata);
    if (!metadata.is_null())
        checkpoint.mutableMetadata()[std::string(kMetadataKey)] = std::move(metadata);
}

void addConfigFrom(Checkpoint& checkpoint, const fs::path& folder) {
    const fs::path path = folder / "config.json";
    std::error_code error;
    if (!fs::is_regular_file(path, error))
        return;
    nlohmann::json config = readJsonObjectFile(path, kMaxConfigBytes, "config.json");
    checkpoint.mutableModel() = modelFromHuggingFaceConfig(config);
    checkpoint.mutableMetadata()["config"] = std::move(config);
}

std::vector<std::byte> headOf(const fs::path& path) {
    std::error_code error;
    if (fs::is_directory(path, error))
        return {};
    const MappedFile file(path);
    const auto bytes = file.bytes().first(std::min<uint64_t>(file.size(), 4096));
    return {bytes.begin(), bytes.end()};
}

} // namespace

bool SafetensorsReader::recognizes(const std::filesystem::path& path,
                                   std::span<const std::byte> head) const {
    return layoutOf(path, head) != Layout::None;
}

std::unique_ptr<Checkpoint> SafetensorsReader::open(const std::filesystem::path& path) const {
    auto checkpoint = std::make_unique<Checkpoint>(path, "safetensors");
    fs::path folder = path.parent_path().empty() ? fs::path(".") : path.parent_path();
    switch (layoutOf(path, headOf(path))) {
    case Layout::SingleFile:
        addSingleFile(*checkpoint, path);
        break;
    case Layout::Index:
        addIndexedShards(*checkpoint, path);
        break;
    case Layout::Folder: {
        std::error_code error;
        folder = path;
        if (fs::is_regular_file(path / kSingleFileName, error))
            addSingleFile(*checkpoint, path / kSingleFileName);
        else
            addIndexedShards(*checkpoint, path / kIndexFileName);
        break;
    }
    case Layout::None:
        throw FileError(path, "not a safetensors file, index or model folder");
    }
    checkpoint->finish();
    addConfigFrom(*checkpoint, folder);
    return checkpoint;
}

} // namespace bitlens

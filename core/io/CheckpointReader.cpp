// SPDX-License-Identifier: MIT
#include "core/io/CheckpointReader.h"

#include "core/io/GgufReader.h"
#include "core/io/Hdf5Reader.h"
#include "core/io/Llama2cReader.h"
#include "core/io/SafetensorsReader.h"
#include "core/util/Error.h"

#include <fstream>

namespace bitlens {

const std::vector<std::unique_ptr<CheckpointReader>>& checkpointReaders() {
    static const std::vector<std::unique_ptr<CheckpointReader>> readers = [] {
        std::vector<std::unique_ptr<CheckpointReader>> list;
        list.push_back(std::make_unique<SafetensorsReader>());
        list.push_back(std::make_unique<GgufReader>());
        list.push_back(std::make_unique<Hdf5Reader>());
        list.push_back(std::make_unique<Llama2cReader>()); // no magic: keep it last
        return list;
    }();
    return readers;
}

std::unique_ptr<Checkpoint> openCheckpoint(const std::filesystem::path& path) {
    std::error_code error;
    const auto status = std::filesystem::status(path, error);
    if (error || !std::filesystem::exists(status))
        throw FileError(path, "no such file or folder");
    std::vector<std::byte> head;
    if (std::filesystem::is_regular_file(status)) {
        std::ifstream stream(path, std::ios::binary);
        if (!stream)
            throw FileError(path, "cannot be read");
        head.resize(4096);
        stream.read(reinterpret_cast<char*>(head.data()), std::streamsize(head.size()));
        head.resize(size_t(stream.gcount()));
    } else if (!std::filesystem::is_directory(status)) {
        throw FileError(path, "not a regular file or folder");
    }
    for (const auto& reader : checkpointReaders())
        if (reader->recognizes(path, head))
            return reader->open(path);
    if (std::filesystem::is_directory(status))
        throw FileError(path, "folder holds no checkpoint BitLens can read (expected "
                              "model.safetensors, model.safetensors.index.json or a .gguf file)");
    throw FileError(path, "not a checkpoint format BitLens can read (safetensors, GGUF, "
                          "HDF5/Keras or llama2.c)");
}

} // namespace bitlens

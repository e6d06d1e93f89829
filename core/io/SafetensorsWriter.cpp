// SPDX-License-Identifier: MIT
#include "core/io/SafetensorsWriter.h"

#include "core/io/AtomicFile.h"
#include "core/io/SafetensorsReader.h"
#include "core/util/Error.h"

#include <nlohmann/json.hpp>

namespace bitlens {

void SafetensorsWriter::setMetadata(std::map<std::string, std::string> metadata) {
    metadata_ = std::move(metadata);
}

void SafetensorsWriter::addTensor(TensorPayload tensor) {
    if (dtypeInfo(tensor.dtype).isGgmlBlock)
        throw Error("tensor '" + tensor.name + "': safetensors cannot store " +
                    std::string(dtypeName(tensor.dtype)) + " blocks");
    validatePayload(tensor, tensors_);
    tensors_.push_back(std::move(tensor));
}

void SafetensorsWriter::write(const std::filesystem::path& path) const {
    nlohmann::ordered_json header = nlohmann::ordered_json::object();
    if (!metadata_.empty())
        header["__metadata__"] = metadata_;
    uint64_t offset = 0;
    for (const TensorPayload& tensor : tensors_) {
        header[tensor.name] = {{"dtype", dtypeName(tensor.dtype)},
                               {"shape", tensor.shape},
                               {"data_offsets", {offset, offset + tensor.bytes.size()}}};
        offset += tensor.bytes.size();
    }
    std::string text = header.dump();
    text.append((8 - text.size() % 8) % 8, ' ');
    if (text.size() >= kSafetensorsMaxHeaderBytes)
        throw FileError(path, "safetensors header would exceed " +
                                  std::to_string(kSafetensorsMaxHeaderBytes) + " bytes");

    AtomicFile file(path);
    file.writeValue(uint64_t(text.size()));
    file.write(std::string_view(text));
    for (const TensorPayload& tensor : tensors_)
        file.write(tensor.bytes);
    file.commit();
}

} // namespace bitlens

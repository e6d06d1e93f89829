// SPDX-License-Identifier: MIT
#include "core/io/GgufWriter.h"

#include "core/io/AtomicFile.h"
#include "core/io/Checkpoint.h"
#include "core/util/Error.h"
#include "core/util/Utf8.h"

#include <algorithm>

namespace bitlens {
namespace {

constexpr uint32_t kGgufVersion = 3;
constexpr size_t kMaxGgufDims = 4;

uint64_t alignUp(uint64_t value, uint32_t alignment) {
    return (value + alignment - 1) / alignment * alignment;
}

void checkArrayTypes(const GgufValue& value, const std::string& key) {
    const auto* array = std::get_if<GgufArray>(&value.data);
    if (!array)
        return;
    for (const GgufValue& element : array->elements) {
        if (element.type() != array->elementType)
            throw Error("GGUF key '" + key + "': array of " +
                        std::string(ggufTypeName(array->elementType)) + " holds a " +
                        std::string(ggufTypeName(element.type())));
        checkArrayTypes(element, key);
    }
}

void writeString(AtomicFile& file, const std::string& text) {
    file.writeValue(uint64_t(text.size()));
    file.write(std::string_view(text));
}

// The value without its type id (arrays carry their element type and count).
void writeValue(AtomicFile& file, const GgufValue& value) {
    std::visit(
        [&](const auto& item) {
            using T = std::decay_t<decltype(item)>;
            if constexpr (std::is_same_v<T, GgufArray>) {
                file.writeValue(uint32_t(item.elementType));
                file.writeValue(uint64_t(item.elements.size()));
                for (const GgufValue& element : item.elements)
                    writeValue(file, element);
            } else if constexpr (std::is_same_v<T, std::string>) {
                writeString(file, item);
            } else if constexpr (std::is_same_v<T, bool>) {
                file.writeValue(uint8_t(item ? 1 : 0));
            } else {
                file.writeValue(item);
            }
        },
        value.data);
}

void writeKeyValue(AtomicFile& file, const std::string& key, const GgufValue& value) {
    writeString(file, key);
    file.writeValue(uint32_t(value.type()));
    writeValue(file, value);
}

} // namespace

GgufWriter::GgufWriter(uint32_t alignment) : alignment_(alignment) {
    if (alignment == 0 || (alignment & (alignment - 1)) != 0)
        throw Error("GGUF alignment " + std::to_string(alignment) + " is not a power of two");
}

void GgufWriter::addMetadata(std::string key, GgufValue value) {
    if (key.empty() || key.size() > kMaxNameLength || !isValidUtf8(key))
        throw Error("GGUF key '" + key + "' is empty, too long or not valid UTF-8");
    if (key == kGgufAlignmentKey)
        throw Error("GGUF alignment is set through the GgufWriter constructor");
    if (std::any_of(metadata_.begin(), metadata_.end(),
                    [&](const auto& entry) { return entry.first == key; }))
        throw Error("GGUF key '" + key + "' is added twice");
    checkArrayTypes(value, key);
    metadata_.emplace_back(std::move(key), std::move(value));
}

void GgufWriter::addTensor(TensorPayload tensor) {
    if (!ggmlTypeId(tensor.dtype))
        throw Error("tensor '" + tensor.name + "': GGUF has no type for " +
                    std::string(dtypeName(tensor.dtype)));
    if (tensor.shape.empty() || tensor.shape.size() > kMaxGgufDims)
        throw Error("tensor '" + tensor.name + "': GGUF tensors have 1 to 4 dimensions");
    validatePayload(tensor, tensors_);
    tensors_.push_back(std::move(tensor));
}

void GgufWriter::write(const std::filesystem::path& path) const {
    const bool writeAlignment = alignment_ != kGgufDefaultAlignment;
    AtomicFile file(path);
    file.write(std::as_bytes(std::span(kGgufMagic)));
    file.writeValue(kGgufVersion);
    file.writeValue(uint64_t(tensors_.size()));
    file.writeValue(uint64_t(metadata_.size() + (writeAlignment ? 1 : 0)));
    if (writeAlignment)
        writeKeyValue(file, std::string(kGgufAlignmentKey), GgufValue{alignment_});
    for (const auto& [key, value] : metadata_)
        writeKeyValue(file, key, value);

    uint64_t offset = 0;
    for (const TensorPayload& tensor : tensors_) {
        writeString(file, tensor.name);
        file.writeValue(uint32_t(tensor.shape.size()));
        // ggml order: the row length (innermost dimension) first.
        for (auto dim = tensor.shape.rbegin(); dim != tensor.shape.rend(); ++dim)
            file.writeValue(*dim);
        file.writeValue(*ggmlTypeId(tensor.dtype));
        file.writeValue(offset);
        offset = alignUp(offset + tensor.bytes.size(), alignment_);
    }
    for (const TensorPayload& tensor : tensors_) {
        file.writeZeros(alignUp(file.bytesWritten(), alignment_) - file.bytesWritten());
        file.write(tensor.bytes);
    }
    file.commit();
}

} // namespace bitlens

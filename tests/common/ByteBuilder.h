// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace bitlens::test {

// Little-endian byte assembly for hand-made (often deliberately broken) checkpoint files.
class ByteBuilder {
public:
    template <typename T> ByteBuilder& value(T v) {
        const auto* p = reinterpret_cast<const std::byte*>(&v);
        bytes_.insert(bytes_.end(), p, p + sizeof(T));
        return *this;
    }
    ByteBuilder& raw(std::string_view text) {
        const auto* p = reinterpret_cast<const std::byte*>(text.data());
        bytes_.insert(bytes_.end(), p, p + text.size());
        return *this;
    }
    ByteBuilder& raw(const std::vector<std::byte>& more) {
        bytes_.insert(bytes_.end(), more.begin(), more.end());
        return *this;
    }
    // GGUF string: u64 length, then the bytes.
    ByteBuilder& ggufString(std::string_view text) {
        return value(uint64_t(text.size())).raw(text);
    }
    ByteBuilder& zeros(size_t count) {
        bytes_.resize(bytes_.size() + count);
        return *this;
    }
    ByteBuilder& alignTo(size_t alignment) {
        return zeros((alignment - bytes_.size() % alignment) % alignment);
    }
    size_t size() const { return bytes_.size(); }
    const std::vector<std::byte>& bytes() const { return bytes_; }

private:
    std::vector<std::byte> bytes_;
};

// A safetensors file from a header text (taken as is, unpadded) and `dataBytes` data bytes
// counting up from 1.
inline std::vector<std::byte> safetensorsBytes(std::string_view header, size_t dataBytes) {
    ByteBuilder builder;
    builder.value(uint64_t(header.size())).raw(header);
    for (size_t i = 0; i < dataBytes; ++i)
        builder.value(uint8_t(i + 1));
    return builder.bytes();
}

inline void writeFileBytes(const std::filesystem::path& path, const std::vector<std::byte>& bytes) {
    std::ofstream stream(path, std::ios::binary | std::ios::trunc);
    stream.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
    if (!stream)
        throw std::runtime_error("cannot write test file " + path.string());
}

inline std::vector<std::byte> readFileBytes(const std::filesystem::path& path) {
    std::ifstream stream(path, std::ios::binary);
    std::vector<char> chars((std::istreambuf_iterator<char>(stream)),
                            std::istreambuf_iterator<char>());
    std::vector<std::byte> bytes(chars.size());
    std::memcpy(bytes.data(), chars.data(), chars.size());
    return bytes;
}

} // namespace bitlens::test

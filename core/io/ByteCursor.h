// SPDX-License-Identifier: MIT
#pragma once

#include "core/util/Error.h"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

namespace bitlens {

// Little-endian reader over untrusted bytes. Every read checks the bytes left first and throws a
// FileError naming the file, the field being read and its offset when they are not there.
class ByteCursor {
public:
    ByteCursor(std::span<const std::byte> bytes, std::filesystem::path path)
        : bytes_(bytes), path_(std::move(path)) {}

    uint64_t offset() const { return offset_; }
    uint64_t remaining() const { return bytes_.size() - offset_; }
    const std::filesystem::path& path() const { return path_; }

    template <typename T> T read(std::string_view field) {
        static_assert(std::is_trivially_copyable_v<T>);
        require(sizeof(T), field);
        T value;
        std::memcpy(&value, bytes_.data() + offset_, sizeof(T));
        offset_ += sizeof(T);
        return value;
    }

    std::span<const std::byte> readBytes(uint64_t count, std::string_view field) {
        require(count, field);
        auto result = bytes_.subspan(offset_, count);
        offset_ += count;
        return result;
    }

    std::string readString(uint64_t length, std::string_view field) {
        auto raw = readBytes(length, field);
        return {reinterpret_cast<const char*>(raw.data()), raw.size()};
    }

    void skip(uint64_t count, std::string_view field) { readBytes(count, field); }

    // Throws "<path>: <field> at offset N: <problem>".
    [[noreturn]] void fail(std::string_view field, const std::string& problem) const {
        throw FileError(path_, std::string(field) + " at offset " + std::to_string(offset_) + ": " +
                                   problem);
    }

private:
    void require(uint64_t count, std::string_view field) const {
        if (count > remaining())
            fail(field, "file ends early (needs " + std::to_string(count) + " bytes, " +
                            std::to_string(remaining()) + " left)");
    }

    std::span<const std::byte> bytes_;
    std::filesystem::path path_;
    uint64_t offset_ = 0;
};

} // namespace bitlens

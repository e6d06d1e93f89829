// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>

namespace bitlens {

// A read-only memory mapping of a whole file. Move-only; the mapping lives as long as the object.
// Pages are only read from disk when touched, so opening a 100 GB file costs nothing.
class MappedFile {
public:
    // Throws FileError naming the path when the file cannot be opened or mapped.
    explicit MappedFile(const std::filesystem::path& path);
    ~MappedFile();
    MappedFile(MappedFile&& other) noexcept;
    MappedFile& operator=(MappedFile&& other) noexcept;
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    const std::filesystem::path& path() const { return path_; }
    uint64_t size() const { return size_; }
    std::span<const std::byte> bytes() const { return {data_, size_}; }
    // Bytes [offset, offset + length); throws FileError when the range is outside the file.
    std::span<const std::byte> range(uint64_t offset, uint64_t length) const;

private:
    void release() noexcept;

    std::filesystem::path path_;
    const std::byte* data_ = nullptr;
    uint64_t size_ = 0;
};

} // namespace bitlens

// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <vector>

namespace bitlens {

// A read-only memory mapping of a whole file. Move-only; the mapping lives as long as the object.
// Pages are only read from disk when touched, so opening a 100 GB file costs nothing.
// A reader that must decode tensor bytes (compressed HDF5 chunks) instead registers them as an
// in-memory source with fromMemory(): same interface, the bytes owned by the object.
class MappedFile {
public:
    // Throws FileError naming the path when the file cannot be opened or mapped.
    explicit MappedFile(const std::filesystem::path& path);
    // Holds `bytes` in memory; `path` names the file they were decoded from (for messages).
    static MappedFile fromMemory(std::filesystem::path path, std::vector<std::byte> bytes);
    ~MappedFile();
    MappedFile(MappedFile&& other) noexcept;
    MappedFile& operator=(MappedFile&& other) noexcept;
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    const std::filesystem::path& path() const { return path_; }
    uint64_t size() const { return size_; }
    std::span<const std::byte> bytes() const { return {data_, size_}; }
    bool inMemory() const { return inMemory_; }
    // Bytes [offset, offset + length); throws FileError when the range is outside the file.
    std::span<const std::byte> range(uint64_t offset, uint64_t length) const;

private:
    MappedFile() = default;
    void release() noexcept;

    std::filesystem::path path_;
    std::vector<std::byte> owned_; // fromMemory() bytes; empty for a mapping
    bool inMemory_ = false;
    const std::byte* data_ = nullptr;
    uint64_t size_ = 0;
};

} // namespace bitlens

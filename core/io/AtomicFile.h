// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string_view>
#include <vector>

namespace bitlens {

// Writes a file under a temporary name in the target's folder and renames it over the target in
// commit(). Destroyed without commit() (an error, a cancel), it removes the temporary file, so a
// half-written output is never left behind. Not copyable: one object, one output.
class AtomicFile {
public:
    // Throws FileError naming `path` when the temporary file cannot be created.
    explicit AtomicFile(std::filesystem::path path);
    ~AtomicFile();
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;

    void write(std::span<const std::byte> bytes);
    void write(std::string_view text);
    void writeZeros(uint64_t count);
    template <typename T> void writeValue(const T& value) {
        write(std::as_bytes(std::span<const T, 1>(&value, 1)));
    }
    uint64_t bytesWritten() const { return written_; }

    // Flushes, syncs and renames into place; call once, after the last write.
    void commit();

private:
    void flush();

    std::filesystem::path path_;
    std::filesystem::path temporary_;
    int fd_ = -1;
    std::vector<std::byte> buffer_;
    uint64_t written_ = 0;
};

} // namespace bitlens

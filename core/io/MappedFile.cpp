// SPDX-License-Identifier: MIT
#include "core/io/MappedFile.h"

#include "core/util/Error.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

namespace bitlens {

MappedFile::MappedFile(const std::filesystem::path& path) : path_(path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        throw FileError(path, std::string("cannot open: ") + std::strerror(errno));
    struct stat info {};
    if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
        ::close(fd);
        throw FileError(path, "not a regular file");
    }
    size_ = uint64_t(info.st_size);
    if (size_ > 0) {
        void* mapping = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
        if (mapping == MAP_FAILED) {
            const int error = errno;
            ::close(fd);
            throw FileError(path, std::string("cannot map: ") + std::strerror(error));
        }
        data_ = static_cast<const std::byte*>(mapping);
    }
    ::close(fd);
}

MappedFile MappedFile::fromMemory(std::filesystem::path path, std::vector<std::byte> bytes) {
    MappedFile file;
    file.path_ = std::move(path);
    file.owned_ = std::move(bytes);
    file.inMemory_ = true;
    file.data_ = file.owned_.data();
    file.size_ = file.owned_.size();
    return file;
}

MappedFile::~MappedFile() {
    release();
}

// Moving a std::vector keeps its heap buffer, so data_ stays valid for in-memory sources.
MappedFile::MappedFile(MappedFile&& other) noexcept
    : path_(std::move(other.path_)), owned_(std::move(other.owned_)),
      inMemory_(std::exchange(other.inMemory_, false)), data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)) {}

MappedFile& MappedFile::operator=(MappedFile&& other) noexcept {
    if (this != &other) {
        release();
        path_ = std::move(other.path_);
        owned_ = std::move(other.owned_);
        inMemory_ = std::exchange(other.inMemory_, false);
        data_ = std::exchange(other.data_, nullptr);
        size_ = std::exchange(other.size_, 0);
    }
    return *this;
}

void MappedFile::release() noexcept {
    if (inMemory_)
        owned_ = {};
    else if (data_)
        ::munmap(const_cast<std::byte*>(data_), size_);
    inMemory_ = false;
    data_ = nullptr;
    size_ = 0;
}

std::span<const std::byte> MappedFile::range(uint64_t offset, uint64_t length) const {
    if (offset > size_ || length > size_ - offset)
        throw FileError(path_, "byte range " + std::to_string(offset) + "+" +
                                   std::to_string(length) + " lies outside the file (" +
                                   std::to_string(size_) + " bytes)");
    return {data_ + offset, length};
}

} // namespace bitlens

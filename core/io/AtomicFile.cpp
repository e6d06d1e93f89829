// SPDX-License-Identifier: MIT
#include "core/io/AtomicFile.h"

#include "core/util/Error.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

namespace bitlens {
namespace {

constexpr size_t kBufferBytes = size_t(1) << 20;

std::string systemError(const char* what) {
    return std::string(what) + ": " + std::strerror(errno);
}

} // namespace

AtomicFile::AtomicFile(std::filesystem::path path) : path_(std::move(path)) {
    std::string pattern = path_.string() + ".partial-XXXXXX";
    fd_ = ::mkstemp(pattern.data());
    if (fd_ < 0)
        throw FileError(path_, systemError("cannot create a temporary file beside it"));
    temporary_ = pattern;
    ::fchmod(fd_, 0644);
    buffer_.reserve(kBufferBytes);
}

AtomicFile::~AtomicFile() {
    if (fd_ >= 0) {
        ::close(fd_);
        std::error_code ignored;
        std::filesystem::remove(temporary_, ignored);
    }
}

void AtomicFile::flush() {
    size_t done = 0;
    while (done < buffer_.size()) {
        const ssize_t count = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
        if (count < 0 && errno == EINTR)
            continue;
        if (count <= 0)
            throw FileError(path_, systemError("cannot write"));
        done += size_t(count);
    }
    buffer_.clear();
}

void AtomicFile::write(std::span<const std::byte> bytes) {
    if (fd_ < 0)
        throw Error("internal: write to '" + path_.string() + "' after commit");
    written_ += bytes.size();
    while (!bytes.empty()) {
        const size_t take = std::min(bytes.size(), kBufferBytes - buffer_.size());
        buffer_.insert(buffer_.end(), bytes.begin(), bytes.begin() + ptrdiff_t(take));
        bytes = bytes.subspan(take);
        if (buffer_.size() == kBufferBytes)
            flush();
    }
}

void AtomicFile::write(std::string_view text) {
    write(std::as_bytes(std::span(text)));
}

void AtomicFile::writeZeros(uint64_t count) {
    static const std::byte zeros[4096] = {};
    while (count > 0) {
        const uint64_t take = std::min<uint64_t>(count, sizeof(zeros));
        write(std::span(zeros, take));
        count -= take;
    }
}

void AtomicFile::commit() {
    if (fd_ < 0)
        throw Error("internal: '" + path_.string() + "' committed twice");
    flush();
    if (::fsync(fd_) != 0)
        throw FileError(path_, systemError("cannot sync"));
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0 || std::rename(temporary_.c_str(), path_.c_str()) != 0) {
        const std::string problem = systemError("cannot move the finished file into place");
        std::error_code ignored;
        std::filesystem::remove(temporary_, ignored);
        throw FileError(path_, problem);
    }
}

} // namespace bitlens

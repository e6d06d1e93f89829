// SPDX-License-Identifier: MIT
#include "core/eval/IdxDataset.h"

#include "core/util/Error.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <zlib.h>

namespace bitlens {
namespace {

// One IDX file opened through zlib, which reads plain and gzip files alike.
class GzReader {
public:
    explicit GzReader(std::filesystem::path path) : path_(std::move(path)) {
        std::error_code error;
        if (!std::filesystem::is_regular_file(path_, error))
            throw FileError(path_, "no such file");
        file_ = gzopen(path_.c_str(), "rb");
        if (!file_)
            throw FileError(path_, "cannot be opened");
    }
    ~GzReader() { gzclose(file_); }
    GzReader(const GzReader&) = delete;
    GzReader& operator=(const GzReader&) = delete;

    const std::filesystem::path& path() const { return path_; }

    // Reads up to `size` bytes; returns how many were there. Throws FileError for a corrupt
    // gzip stream.
    size_t read(uint8_t* out, size_t size) {
        size_t done = 0;
        while (done < size) {
            const unsigned chunk = unsigned(std::min<size_t>(size - done, 1u << 24));
            const int got = gzread(file_, out + done, chunk);
            if (got < 0) {
                int code = 0;
                const char* message = gzerror(file_, &code);
                throw FileError(path_, std::string("cannot be decompressed: ") +
                                           (message ? message : "zlib error"));
            }
            if (got == 0)
                break;
            done += size_t(got);
        }
        return done;
    }

    // Reads exactly `size` bytes of `what`, or throws naming how many were missing.
    void readExactly(uint8_t* out, size_t size, const std::string& what) {
        const size_t got = read(out, size);
        if (got != size)
            throw FileError(path_, "truncated: " + what + " needs " + std::to_string(size) +
                                       " bytes but only " + std::to_string(got) + " are there");
    }

    // Throws when anything follows the data the header announced.
    void expectEnd(const std::string& what) {
        uint8_t extra = 0;
        if (read(&extra, 1) != 0)
            throw FileError(path_, "more bytes than the header announces (" + what + ")");
    }

private:
    std::filesystem::path path_;
    gzFile file_ = nullptr;
};

uint32_t bigEndian32(const uint8_t* p) {
    return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | uint32_t(p[3]);
}

std::string hex32(uint32_t value) {
    char text[16];
    std::snprintf(text, sizeof text, "0x%08x", value);
    return text;
}

// Reads the magic and the dims of an unsigned-byte IDX file with `dimCount` dimensions.
std::vector<uint32_t> readHeader(GzReader& reader, uint8_t dimCount, const char* kind) {
    std::array<uint8_t, 4> magic{};
    reader.readExactly(magic.data(), magic.size(), "the IDX magic");
    const uint32_t expected = 0x0800u | dimCount;
    if (bigEndian32(magic.data()) != expected)
        throw FileError(reader.path(), std::string("not an IDX ") + kind + " file (magic " +
                                           hex32(bigEndian32(magic.data())) + ", expected " +
                                           hex32(expected) + ")");
    std::vector<uint8_t> raw(size_t(dimCount) * 4);
    reader.readExactly(raw.data(), raw.size(), "the IDX dimensions");
    std::vector<uint32_t> dims(dimCount);
    for (size_t i = 0; i < dims.size(); ++i)
        dims[i] = bigEndian32(raw.data() + 4 * i);
    return dims;
}

std::vector<uint8_t> readImages(const std::filesystem::path& path, uint32_t& rows, uint32_t& cols) {
    GzReader reader(path);
    const std::vector<uint32_t> dims = readHeader(reader, 3, "image");
    rows = dims[1];
    cols = dims[2];
    if (rows == 0 || cols == 0 || rows > kMaxIdxImageSide || cols > kMaxIdxImageSide)
        throw FileError(path, "image size " + std::to_string(rows) + "x" + std::to_string(cols) +
                                  " is outside 1.." + std::to_string(kMaxIdxImageSide));
    const uint64_t total = uint64_t(dims[0]) * rows * cols;
    if (total > kMaxIdxBytes)
        throw FileError(path, std::to_string(dims[0]) + " images of " + std::to_string(rows) + "x" +
                                  std::to_string(cols) + " exceed the limit of " +
                                  std::to_string(kMaxIdxBytes) + " bytes");
    std::vector<uint8_t> pixels(total);
    reader.readExactly(pixels.data(), pixels.size(),
                       std::to_string(dims[0]) + " images of " + std::to_string(rows) + "x" +
                           std::to_string(cols));
    reader.expectEnd(std::to_string(dims[0]) + " images");
    return pixels;
}

std::vector<uint8_t> readLabels(const std::filesystem::path& path) {
    GzReader reader(path);
    const uint32_t count = readHeader(reader, 1, "label")[0];
    if (count > kMaxIdxBytes)
        throw FileError(path, std::to_string(count) + " labels exceed the limit");
    std::vector<uint8_t> labels(count);
    reader.readExactly(labels.data(), labels.size(), std::to_string(count) + " labels");
    reader.expectEnd(std::to_string(count) + " labels");
    return labels;
}

uint64_t fnv1a(uint64_t hash, const uint8_t* data, size_t size) {
    for (size_t i = 0; i < size; ++i) {
        hash ^= data[i];
        hash *= 0x100000001b3ull;
    }
    return hash;
}

} // namespace

IdxDataset::IdxDataset(uint32_t rows, uint32_t cols, std::vector<uint8_t> pixels,
                       std::vector<uint8_t> labels)
    : rows_(rows), cols_(cols), pixels_(std::move(pixels)), labels_(std::move(labels)) {
    if (pixels_.size() != uint64_t(labels_.size()) * rows_ * cols_)
        throw Error("data set: " + std::to_string(pixels_.size()) + " pixels do not make " +
                    std::to_string(labels_.size()) + " images of " + std::to_string(rows_) + "x" +
                    std::to_string(cols_));
    const uint32_t dims[2] = {rows_, cols_};
    uint64_t hash = 0xcbf29ce484222325ull;
    hash = fnv1a(hash, reinterpret_cast<const uint8_t*>(dims), sizeof dims);
    hash = fnv1a(hash, pixels_.data(), pixels_.size());
    fingerprint_ = fnv1a(hash, labels_.data(), labels_.size());
}

IdxDataset IdxDataset::load(const std::filesystem::path& images,
                            const std::filesystem::path& labels) {
    uint32_t rows = 0;
    uint32_t cols = 0;
    std::vector<uint8_t> pixels = readImages(images, rows, cols);
    std::vector<uint8_t> labelBytes = readLabels(labels);
    const uint64_t imageCount = pixels.size() / (uint64_t(rows) * cols);
    if (imageCount != labelBytes.size())
        throw FileError(labels, std::to_string(labelBytes.size()) + " labels for " +
                                    std::to_string(imageCount) + " images in " + images.string());
    return IdxDataset(rows, cols, std::move(pixels), std::move(labelBytes));
}

uint32_t IdxDataset::classCount() const {
    if (labels_.empty())
        return 0;
    return uint32_t(*std::max_element(labels_.begin(), labels_.end())) + 1;
}

IdxDataset IdxDataset::subset(size_t first, size_t count) const {
    if (first > size() || count > size() - first)
        throw Error("data set: images [" + std::to_string(first) + ", " +
                    std::to_string(first + count) + ") outside the " + std::to_string(size()) +
                    " images");
    const size_t stride = pixelsPerImage();
    std::vector<uint8_t> pixels(pixels_.begin() + ptrdiff_t(first * stride),
                                pixels_.begin() + ptrdiff_t((first + count) * stride));
    std::vector<uint8_t> labels(labels_.begin() + ptrdiff_t(first),
                                labels_.begin() + ptrdiff_t(first + count));
    return IdxDataset(rows_, cols_, std::move(pixels), std::move(labels));
}

} // namespace bitlens

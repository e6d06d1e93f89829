// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <vector>

namespace bitlens {

// A labelled image data set in IDX format (MNIST, Fashion-MNIST): an image file (magic
// 0x00000803, u8 [count, rows, cols]) and a label file (magic 0x00000801, u8 [count]), each plain
// or gzip-compressed. Loading validates the headers against hard caps and the bytes present and
// throws FileError naming the file; afterwards the data set is immutable.
class IdxDataset {
public:
    static IdxDataset load(const std::filesystem::path& images,
                           const std::filesystem::path& labels);
    // From memory (tests, the demo trainer's subsets). Throws Error when the sizes disagree.
    IdxDataset(uint32_t rows, uint32_t cols, std::vector<uint8_t> pixels,
               std::vector<uint8_t> labels);

    size_t size() const { return labels_.size(); }
    uint32_t rows() const { return rows_; }
    uint32_t cols() const { return cols_; }
    size_t pixelsPerImage() const { return size_t(rows_) * cols_; }
    std::span<const uint8_t> image(size_t index) const {
        return {pixels_.data() + index * pixelsPerImage(), pixelsPerImage()};
    }
    uint8_t label(size_t index) const { return labels_[index]; }
    // Every image's pixels, image after image.
    std::span<const uint8_t> pixels() const { return pixels_; }
    const std::vector<uint8_t>& labels() const { return labels_; }
    // Largest label + 1 (0 for an empty set).
    uint32_t classCount() const;
    // FNV-1a over dimensions, pixels and labels: equal contents give equal fingerprints, so
    // results computed on one data set can be cached across objects.
    uint64_t fingerprint() const { return fingerprint_; }

    // Copy of images [first, first + count). Throws Error when the range is outside the set.
    IdxDataset subset(size_t first, size_t count) const;

private:
    uint32_t rows_ = 0;
    uint32_t cols_ = 0;
    std::vector<uint8_t> pixels_;
    std::vector<uint8_t> labels_;
    uint64_t fingerprint_ = 0;
};

// Hard caps: an IDX file larger than these is rejected before anything is allocated.
inline constexpr uint32_t kMaxIdxImageSide = 4096;
inline constexpr uint64_t kMaxIdxBytes = uint64_t(1) << 32;

} // namespace bitlens

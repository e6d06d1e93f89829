// SPDX-License-Identifier: MIT
#include "core/eval/BaselineCache.h"

#include "core/io/AtomicFile.h"

#include <algorithm>
#include <bit>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <tuple>

namespace bitlens {
namespace {

constexpr char kMagic[8] = {'B', 'L', 'b', 'a', 's', 'e', 'l', 'n'};
constexpr uint32_t kFileVersion = 1;
constexpr uint32_t kMaxSections = 16;
constexpr const char* kExtension = ".baseline";
// A temporary file this old was left by a process that died while writing it.
constexpr auto kAbandonedPartialAge = std::chrono::hours(1);

constexpr uint64_t kMultiplier1 = 0x9E3779B185EBCA87ull;
constexpr uint64_t kMultiplier2 = 0xC2B2AE3D27D4EB4Full;

uint64_t loadWord(const std::byte* bytes) {
    uint64_t word;
    std::memcpy(&word, bytes, sizeof word);
    return word;
}

// One lane step: multiply-rotate-multiply, as in xxHash64's round.
uint64_t step(uint64_t lane, uint64_t word) {
    return std::rotl(lane + word * kMultiplier2, 31) * kMultiplier1;
}

// splitmix64's finalizer: every input bit flips about half of the output bits.
uint64_t avalanche(uint64_t value) {
    value ^= value >> 30;
    value *= 0xBF58476D1CE4E5B9ull;
    value ^= value >> 27;
    value *= 0x94D049BB133111EBull;
    return value ^ (value >> 31);
}

// A 128-bit non-cryptographic digest: four independent lanes over 32-byte stripes (so the
// multiplies overlap), the tail word zero-padded, the length folded into both output halves.
std::array<uint64_t, 2> digestOf(std::span<const std::byte> bytes) {
    uint64_t lanes[4] = {kMultiplier1 + kMultiplier2, kMultiplier2, 0x243F6A8885A308D3ull,
                         0 - kMultiplier1};
    const std::byte* data = bytes.data();
    const size_t size = bytes.size();
    size_t at = 0;
    for (; at + 32 <= size; at += 32)
        for (size_t lane = 0; lane < 4; ++lane)
            lanes[lane] = step(lanes[lane], loadWord(data + at + 8 * lane));
    size_t lane = 0;
    for (; at + 8 <= size; at += 8, ++lane)
        lanes[lane] = step(lanes[lane], loadWord(data + at));
    if (at < size) {
        uint64_t last = 0;
        std::memcpy(&last, data + at, size - at);
        lanes[lane] = step(lanes[lane], last);
    }
    uint64_t first = avalanche(uint64_t(size) ^ lanes[0]);
    uint64_t second = avalanche(uint64_t(size) * kMultiplier2 + lanes[3]);
    for (size_t k = 1; k < 4; ++k) {
        first = avalanche(first ^ lanes[k]);
        second = avalanche(second + lanes[3 - k]);
    }
    return {first, second};
}

template <typename T> void append(std::vector<std::byte>& out, const T& value) {
    const auto bytes = std::as_bytes(std::span<const T, 1>(&value, 1));
    out.insert(out.end(), bytes.begin(), bytes.end());
}

template <typename T> T readAt(const std::vector<std::byte>& bytes, size_t offset) {
    T value;
    std::memcpy(&value, bytes.data() + offset, sizeof(T));
    return value;
}

// Magic, version, section count, key digest; then one u64 length per section.
std::vector<std::byte> headerOf(const std::array<uint64_t, 2>& key,
                                std::span<const uint64_t> sectionLengths) {
    std::vector<std::byte> header;
    header.insert(header.end(), reinterpret_cast<const std::byte*>(kMagic),
                  reinterpret_cast<const std::byte*>(kMagic) + sizeof kMagic);
    append(header, kFileVersion);
    append(header, uint32_t(sectionLengths.size()));
    append(header, key);
    for (uint64_t length : sectionLengths)
        append(header, length);
    return header;
}

constexpr size_t kFixedHeaderBytes = sizeof kMagic + 2 * sizeof(uint32_t) + 2 * sizeof(uint64_t);
constexpr size_t kChecksumBytes = 2 * sizeof(uint64_t);

// The checksum that closes a file: a digest over the header and every section.
std::array<uint64_t, 2> checksumOf(std::span<const std::byte> header,
                                   std::span<const std::span<const std::byte>> sections) {
    BaselineCache::Key checksum("baseline-file");
    checksum.add(header);
    for (const std::span<const std::byte> section : sections)
        checksum.add(section);
    return checksum.digest();
}

void removeQuietly(const std::filesystem::path& path) {
    std::error_code ignored;
    std::filesystem::remove(path, ignored);
}

void markUsed(const std::filesystem::path& path) {
    std::error_code ignored;
    std::filesystem::last_write_time(path, std::filesystem::file_time_type::clock::now(), ignored);
}

// The whole file when it is no larger than `limit`; nullopt when it is missing or unreadable.
std::optional<std::vector<std::byte>> readWhole(const std::filesystem::path& path, uint64_t limit) {
    std::error_code error;
    const uint64_t size = std::filesystem::file_size(path, error);
    if (error || size > limit)
        return std::nullopt;
    std::ifstream file(path, std::ios::binary);
    std::vector<std::byte> bytes(size);
    if (!file.read(reinterpret_cast<char*>(bytes.data()), std::streamsize(size)) ||
        file.peek() != std::char_traits<char>::eof())
        return std::nullopt;
    return bytes;
}

} // namespace

BaselineCache::Key::Key(std::string_view tag) {
    add(tag);
}

BaselineCache::Key& BaselineCache::Key::add(std::span<const std::byte> bytes) {
    append(pieces_, digestOf(bytes));
    append(pieces_, uint64_t(bytes.size()));
    return *this;
}

BaselineCache::Key& BaselineCache::Key::add(std::string_view text) {
    return add(std::as_bytes(std::span(text)));
}

BaselineCache::Key& BaselineCache::Key::addTensor(const Checkpoint& checkpoint,
                                                  size_t tensorIndex) {
    const TensorInfo& tensor = checkpoint.tensors().at(tensorIndex);
    add(tensor.name);
    addValue(uint32_t(tensor.dtype));
    addValue(uint32_t(tensor.channelAxis));
    add(std::as_bytes(std::span(tensor.shape)));
    return add(checkpoint.rawBytes(tensorIndex));
}

std::array<uint64_t, 2> BaselineCache::Key::digest() const {
    return digestOf(pieces_);
}

std::string BaselineCache::Key::hex() const {
    const std::array<uint64_t, 2> value = digest();
    char text[33];
    std::snprintf(text, sizeof text, "%016llx%016llx", static_cast<unsigned long long>(value[0]),
                  static_cast<unsigned long long>(value[1]));
    return text;
}

std::span<const std::byte> BaselineCache::Entry::section(size_t index) const {
    const auto [offset, length] = sections_.at(index);
    return std::span(file_).subspan(offset, length);
}

BaselineCache::BaselineCache(std::filesystem::path folder)
    : BaselineCache(std::move(folder), Limits()) {}

BaselineCache::BaselineCache(std::filesystem::path folder, Limits limits)
    : folder_(std::move(folder)), limits_(limits) {}

std::filesystem::path BaselineCache::userFolder() {
    const auto variable = [](const char* name) -> std::filesystem::path {
        const char* value = std::getenv(name);
        return value && *value ? std::filesystem::path(value) : std::filesystem::path();
    };
    if (const std::filesystem::path root = variable("BITLENS_CACHE_DIR"); !root.empty())
        return root / "baselines";
    if (const std::filesystem::path cache = variable("XDG_CACHE_HOME"); cache.is_absolute())
        return cache / "bitlens" / "baselines";
    if (const std::filesystem::path home = variable("HOME"); !home.empty())
        return home / ".cache" / "bitlens" / "baselines";
    return {};
}

std::shared_ptr<const BaselineCache> BaselineCache::forUser() {
    std::filesystem::path folder = userFolder();
    if (folder.empty())
        return nullptr;
    return std::make_shared<const BaselineCache>(std::move(folder));
}

std::filesystem::path BaselineCache::entryPath(const Key& key) const {
    return folder_ / (key.hex() + kExtension);
}

std::optional<BaselineCache::Entry> BaselineCache::load(const Key& key) const {
    const std::filesystem::path path = entryPath(key);
    std::error_code error;
    if (!std::filesystem::is_regular_file(path, error))
        return std::nullopt;
    std::optional<std::vector<std::byte>> bytes = readWhole(path, limits_.entryBytes);
    const auto reject = [&path]() -> std::optional<Entry> {
        removeQuietly(path);
        return std::nullopt;
    };
    if (!bytes || bytes->size() < kFixedHeaderBytes + kChecksumBytes ||
        std::memcmp(bytes->data(), kMagic, sizeof kMagic) != 0)
        return reject();
    const auto version = readAt<uint32_t>(*bytes, sizeof kMagic);
    const auto sectionCount = readAt<uint32_t>(*bytes, sizeof kMagic + sizeof(uint32_t));
    const auto storedKey = readAt<std::array<uint64_t, 2>>(*bytes, sizeof kMagic + 8);
    const uint64_t headerBytes = kFixedHeaderBytes + uint64_t(sectionCount) * sizeof(uint64_t);
    if (version != kFileVersion || sectionCount > kMaxSections || storedKey != key.digest() ||
        bytes->size() < headerBytes + kChecksumBytes)
        return reject();

    Entry entry;
    std::vector<std::span<const std::byte>> sections;
    uint64_t offset = headerBytes;
    const uint64_t payloadEnd = bytes->size() - kChecksumBytes;
    for (uint32_t s = 0; s < sectionCount; ++s) {
        const auto length = readAt<uint64_t>(*bytes, kFixedHeaderBytes + s * sizeof(uint64_t));
        if (length > payloadEnd - offset)
            return reject();
        entry.sections_.emplace_back(offset, length);
        sections.push_back(std::span<const std::byte>(*bytes).subspan(offset, length));
        offset += length;
    }
    if (offset != payloadEnd ||
        checksumOf(std::span<const std::byte>(*bytes).first(headerBytes), sections) !=
            readAt<std::array<uint64_t, 2>>(*bytes, payloadEnd))
        return reject();
    entry.file_ = std::move(*bytes);
    markUsed(path);
    return entry;
}

bool BaselineCache::store(const Key& key,
                          std::initializer_list<std::span<const std::byte>> sections) const {
    std::vector<uint64_t> lengths;
    uint64_t total = kFixedHeaderBytes + kChecksumBytes;
    for (const std::span<const std::byte> section : sections) {
        lengths.push_back(section.size());
        total += sizeof(uint64_t) + section.size();
    }
    if (sections.size() > kMaxSections || total > limits_.entryBytes || total > limits_.totalBytes)
        return false;
    try {
        std::filesystem::create_directories(folder_);
        const std::vector<std::byte> header = headerOf(key.digest(), lengths);
        const std::array<uint64_t, 2> checksum =
            checksumOf(header, std::span(sections.begin(), sections.size()));
        const std::filesystem::path path = entryPath(key);
        AtomicFile file(path);
        file.write(header);
        for (const std::span<const std::byte> section : sections)
            file.write(section);
        file.writeValue(checksum);
        file.commit();
        markUsed(path);
    } catch (const std::exception&) {
        return false;
    }
    evict();
    return true;
}

void BaselineCache::evict() const {
    using Clock = std::filesystem::file_time_type::clock;
    struct Stored {
        std::filesystem::file_time_type used;
        uint64_t size = 0;
        std::filesystem::path path;
    };
    std::vector<Stored> entries;
    uint64_t total = 0;
    std::error_code error;
    std::filesystem::directory_iterator items(folder_, error);
    for (; !error && items != std::filesystem::directory_iterator(); items.increment(error)) {
        const std::filesystem::directory_entry& item = *items;
        std::error_code itemError;
        if (!item.is_regular_file(itemError))
            continue;
        const std::filesystem::file_time_type used = item.last_write_time(itemError);
        const uint64_t size = item.file_size(itemError);
        if (itemError)
            continue;
        const std::string name = item.path().filename().string();
        if (item.path().extension() == kExtension) {
            entries.push_back({used, size, item.path()});
            total += size;
        } else if (name.find(std::string(kExtension) + ".partial-") != std::string::npos &&
                   Clock::now() - used > kAbandonedPartialAge) {
            removeQuietly(item.path());
        }
    }
    std::sort(entries.begin(), entries.end(), [](const Stored& a, const Stored& b) {
        return std::tie(a.used, a.path) < std::tie(b.used, b.path);
    });
    for (const Stored& entry : entries) {
        if (total <= limits_.totalBytes)
            break;
        removeQuietly(entry.path);
        total -= entry.size;
    }
}

} // namespace bitlens

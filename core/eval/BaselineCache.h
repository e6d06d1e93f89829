// SPDX-License-Identifier: MIT
#pragma once

#include "core/io/Checkpoint.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace bitlens {

// Where the original model's outputs behind an evaluation result came from.
enum class BaselineOrigin : uint8_t {
    Computed, // the original model was run
    Memory,   // kept by the same evaluator from an earlier call
    Disk,     // read from a BaselineCache
};

// A folder of the original model's results, one file per (model, data set, settings), so that a
// new CLI run or studio session does not run the float model again. An entry is found by a Key:
// a 128-bit digest of every input the result depends on (tensor bytes, data bytes, settings and
// the evaluator's revision tag), never of paths or file times. An entry holds a few sections of
// raw bytes; files are written atomically with a header naming the key and a checksum over the
// whole file, and a file that is missing, truncated, corrupt or foreign reads as a miss (and is
// removed, to be rewritten by the next store). The folder is kept under a total size by removing
// the least recently used entries; an entry larger than the per-entry cap is not stored.
// Every call is best effort: disk problems make a miss or an unstored entry, never an exception.
// The object holds no mutable state, so concurrent calls (and processes) are safe: readers see
// either a whole old file or a whole new one.
class BaselineCache {
public:
    struct Limits {
        uint64_t totalBytes = uint64_t(2) << 30; // all entries together
        uint64_t entryBytes = uint64_t(512) << 20;
    };

    // What a cached result depends on. Start with a tag naming the evaluator and the revision of
    // its computation ("classifier-logits/1"); bump the revision when the numbers it caches would
    // change. Each add() folds a length-delimited piece in, so different splits of the same bytes
    // give different keys.
    class Key {
    public:
        explicit Key(std::string_view tag);
        Key& add(std::span<const std::byte> bytes);
        Key& add(std::string_view text);
        template <typename T> Key& addValue(const T& value) {
            static_assert(std::is_trivially_copyable_v<T>);
            return add(std::as_bytes(std::span<const T, 1>(&value, 1)));
        }
        // Name, dtype, shape and stored bytes of one tensor.
        Key& addTensor(const Checkpoint& checkpoint, size_t tensorIndex);

        std::array<uint64_t, 2> digest() const;
        // The digest as 32 hex digits: the entry's file name.
        std::string hex() const;

    private:
        std::vector<std::byte> pieces_; // a digest and length per piece
    };

    // One loaded entry: the sections in the order they were stored.
    class Entry {
    public:
        size_t sectionCount() const { return sections_.size(); }
        std::span<const std::byte> section(size_t index) const;
        // Copies section `index` into `out` when it holds exactly `count` values of T; false
        // (out untouched) otherwise.
        template <typename T> bool read(size_t index, uint64_t count, std::vector<T>& out) const {
            static_assert(std::is_trivially_copyable_v<T>);
            if (index >= sections_.size() || sections_[index].second != count * sizeof(T))
                return false;
            const std::span<const std::byte> bytes = section(index);
            out.resize(count);
            std::copy(bytes.begin(), bytes.end(), reinterpret_cast<std::byte*>(out.data()));
            return true;
        }

    private:
        friend class BaselineCache;
        std::vector<std::byte> file_;
        std::vector<std::pair<uint64_t, uint64_t>> sections_; // offset, length in file_
    };

    // Default limits: 2 GiB in all, 512 MiB per entry.
    explicit BaselineCache(std::filesystem::path folder);
    BaselineCache(std::filesystem::path folder, Limits limits);

    // The user's folder: $BITLENS_CACHE_DIR/baselines when that is set (tests), else
    // $XDG_CACHE_HOME/bitlens/baselines, else ~/.cache/bitlens/baselines; empty when none of
    // these variables is set.
    static std::filesystem::path userFolder();
    // A cache on userFolder(), or nullptr when there is none.
    static std::shared_ptr<const BaselineCache> forUser();

    const std::filesystem::path& folder() const { return folder_; }
    const Limits& limits() const { return limits_; }
    std::filesystem::path entryPath(const Key& key) const;

    // The entry stored under `key`, marked as just used; nullopt on a miss. A file that fails
    // any check is removed.
    std::optional<Entry> load(const Key& key) const;
    // Stores the sections under `key` (replacing any entry), then removes the least recently used
    // entries while the folder is over its total size. Returns false when the entry is over the
    // per-entry cap or could not be written.
    bool store(const Key& key, std::initializer_list<std::span<const std::byte>> sections) const;

private:
    void evict() const;

    std::filesystem::path folder_;
    Limits limits_;
};

} // namespace bitlens

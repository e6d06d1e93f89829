// SPDX-License-Identifier: MIT
#pragma once

#include "gui/QuantResult.h"

#include <cstdint>
#include <list>
#include <map>
#include <optional>
#include <string>
#include <tuple>

namespace bitlens::app {

// Quantization results of the studio per (checkpoint, tensor index, format id), within a byte
// budget: the least recently used results are evicted first. The metrics of every result ever
// inserted are kept apart and never evicted (they are small), so tables and the layer chart keep
// their numbers. The cache holds the checkpoints of its entries, so that a checkpoint's address
// identifies it for as long as the cache knows it. GUI thread only.
class ResultCache {
public:
    static constexpr uint64_t kDefaultBudgetBytes = uint64_t(1) << 30;

    explicit ResultCache(uint64_t budgetBytes = kDefaultBudgetBytes);

    // Evicts down to the new budget at once.
    void setBudget(uint64_t budgetBytes);
    uint64_t budget() const { return budget_; }

    // Stores a complete result and its metrics; a result larger than the whole budget keeps only
    // its metrics. Replaces an entry with the same key.
    void insert(const SharedQuantResult& result);
    // The cached result, marked as most recently used; null when not cached.
    SharedQuantResult find(const Checkpoint* checkpoint, int tensorIndex,
                           const std::string& formatId);
    std::optional<ErrorMetrics> metrics(const Checkpoint* checkpoint, int tensorIndex,
                                        const std::string& formatId) const;
    // Drops every result and metric of this checkpoint.
    void forget(const Checkpoint* checkpoint);

    size_t resultCount() const { return lru_.size(); }
    uint64_t bytes() const { return bytes_; }

private:
    using Key = std::tuple<const Checkpoint*, int, std::string>;
    struct MetricsEntry {
        std::shared_ptr<const Checkpoint> checkpoint; // keeps the address from being reused
        ErrorMetrics metrics;
    };
    void evictTo(uint64_t budgetBytes);

    uint64_t budget_;
    uint64_t bytes_ = 0;
    std::list<SharedQuantResult> lru_; // most recently used first
    std::map<Key, std::list<SharedQuantResult>::iterator> results_;
    std::map<Key, MetricsEntry> metrics_;
};

} // namespace bitlens::app

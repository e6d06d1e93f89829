// SPDX-License-Identifier: MIT
#include "gui/ResultCache.h"

namespace bitlens::app {

ResultCache::ResultCache(uint64_t budgetBytes) : budget_(budgetBytes) {}

void ResultCache::setBudget(uint64_t budgetBytes) {
    budget_ = budgetBytes;
    evictTo(budget_);
}

void ResultCache::insert(const SharedQuantResult& result) {
    const Key key{result->checkpoint.get(), result->tensorIndex, result->formatId()};
    metrics_[key] = {result->checkpoint, result->quantized.metrics};
    if (const auto old = results_.find(key); old != results_.end()) {
        bytes_ -= (*old->second)->memoryBytes();
        lru_.erase(old->second);
        results_.erase(old);
    }
    const uint64_t size = result->memoryBytes();
    if (size > budget_)
        return;
    evictTo(budget_ - size);
    lru_.push_front(result);
    results_[key] = lru_.begin();
    bytes_ += size;
}

SharedQuantResult ResultCache::find(const Checkpoint* checkpoint, int tensorIndex,
                                    const std::string& formatId) {
    const auto found = results_.find(Key{checkpoint, tensorIndex, formatId});
    if (found == results_.end())
        return nullptr;
    lru_.splice(lru_.begin(), lru_, found->second);
    return *found->second;
}

std::optional<ErrorMetrics> ResultCache::metrics(const Checkpoint* checkpoint, int tensorIndex,
                                                 const std::string& formatId) const {
    const auto found = metrics_.find(Key{checkpoint, tensorIndex, formatId});
    if (found == metrics_.end())
        return std::nullopt;
    return found->second.metrics;
}

void ResultCache::forget(const Checkpoint* checkpoint) {
    for (auto entry = results_.begin(); entry != results_.end();) {
        if (std::get<0>(entry->first) != checkpoint) {
            ++entry;
            continue;
        }
        bytes_ -= (*entry->second)->memoryBytes();
        lru_.erase(entry->second);
        entry = results_.erase(entry);
    }
    std::erase_if(metrics_, [checkpoint](const auto& entry) {
        return std::get<0>(entry.first) == checkpoint;
    });
}

void ResultCache::evictTo(uint64_t budgetBytes) {
    while (bytes_ > budgetBytes && !lru_.empty()) {
        const SharedQuantResult& oldest = lru_.back();
        bytes_ -= oldest->memoryBytes();
        results_.erase(Key{oldest->checkpoint.get(), oldest->tensorIndex, oldest->formatId()});
        lru_.pop_back();
    }
}

} // namespace bitlens::app

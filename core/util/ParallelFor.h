// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <functional>

namespace bitlens {

// Runs work(i) for i in [0, count) on up to `threads` threads, the calling thread among them;
// items are taken in increasing order. After each item, afterEach(i) (when given) runs under a
// lock, so its calls are serialized; returning false stops the loop (no new items are started)
// and parallelFor then throws Cancelled. A throwing work(i) stops the loop the same way and its
// exception is rethrown. Returns only when every started item has finished.
void parallelFor(size_t count, unsigned threads, const std::function<void(size_t)>& work,
                 const std::function<bool(size_t)>& afterEach = {});

// Runs body(begin, end) over [0, count) in chunks of at most `grain` items on all hardware
// threads. Chunks run in no particular order, so bodies must write disjoint outputs; the first
// exception a body throws is rethrown here.
void parallelForChunks(size_t count, size_t grain,
                       const std::function<void(size_t begin, size_t end)>& body);

} // namespace bitlens

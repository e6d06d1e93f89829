// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <functional>

namespace bitlens {

// Runs body(begin, end) over [0, count) in chunks of at most `grain` items on up to
// hardware_concurrency threads (the calling thread included) and returns when all are done.
// Chunks run in no particular order, so bodies must write disjoint outputs. The first exception
// a body throws stops the hand-out of further chunks and is rethrown here.
void parallelFor(size_t count, size_t grain, const std::function<void(size_t, size_t)>& body);

} // namespace bitlens

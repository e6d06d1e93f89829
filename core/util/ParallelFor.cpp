// SPDX-License-Identifier: MIT
#include "core/util/ParallelFor.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

namespace bitlens {

void parallelFor(size_t count, size_t grain, const std::function<void(size_t, size_t)>& body) {
    grain = std::max<size_t>(grain, 1);
    const size_t chunks = (count + grain - 1) / grain;
    const size_t threadCount =
        std::min<size_t>(chunks, std::max(1u, std::thread::hardware_concurrency()));
    if (threadCount <= 1) {
        for (size_t begin = 0; begin < count; begin += grain)
            body(begin, std::min(count, begin + grain));
        return;
    }
    std::atomic<size_t> next{0};
    std::atomic<bool> failed{false};
    std::exception_ptr firstError;
    std::mutex errorMutex;
    auto work = [&] {
        for (;;) {
            const size_t chunk = next.fetch_add(1);
            if (chunk >= chunks || failed.load())
                return;
            try {
                body(chunk * grain, std::min(count, (chunk + 1) * grain));
            } catch (...) {
                std::lock_guard lock(errorMutex);
                if (!firstError)
                    firstError = std::current_exception();
                failed = true;
                return;
            }
        }
    };
    std::vector<std::thread> helpers;
    helpers.reserve(threadCount - 1);
    try {
        for (size_t i = 1; i < threadCount; ++i)
            helpers.emplace_back(work);
    } catch (const std::system_error&) {
        // Fewer threads than asked for: the ones that started share the chunks.
    }
    work();
    for (std::thread& helper : helpers)
        helper.join();
    if (firstError)
        std::rethrow_exception(firstError);
}

void parallelForChunks(size_t count, size_t grain,
                       const std::function<void(size_t begin, size_t end)>& body) {
    grain = std::max<size_t>(grain, 1);
    const size_t chunks = (count + grain - 1) / grain;
    parallelFor(chunks, std::thread::hardware_concurrency(),
                [&](size_t chunk) { body(chunk * grain, std::min(count, (chunk + 1) * grain)); });
}

} // namespace bitlens

// SPDX-License-Identifier: MIT
#include "core/util/ParallelFor.h"

#include "core/util/Error.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace bitlens {

void parallelFor(size_t count, unsigned threads, const std::function<void(size_t)>& work,
                 const std::function<bool(size_t)>& afterEach) {
    std::atomic<size_t> next{0};
    std::atomic<bool> stop{false};
    std::mutex mutex;
    std::exception_ptr failure;
    bool cancelled = false;

    auto worker = [&] {
        while (!stop.load()) {
            const size_t index = next.fetch_add(1);
            if (index >= count)
                return;
            try {
                work(index);
            } catch (...) {
                std::lock_guard lock(mutex);
                if (!failure)
                    failure = std::current_exception();
                stop = true;
                return;
            }
            std::lock_guard lock(mutex);
            if (afterEach && !cancelled && !afterEach(index)) {
                cancelled = true;
                stop = true;
            }
        }
    };

    const size_t workers = std::min<size_t>(std::max(1u, threads), count);
    {
        std::vector<std::jthread> pool;
        for (size_t i = 1; i < workers; ++i)
            pool.emplace_back(worker);
        worker();
    } // joins
    if (failure)
        std::rethrow_exception(failure);
    if (cancelled)
        throw Cancelled();
}

void parallelForChunks(size_t count, size_t grain,
                       const std::function<void(size_t begin, size_t end)>& body) {
    grain = std::max<size_t>(grain, 1);
    const size_t chunks = (count + grain - 1) / grain;
    parallelFor(chunks, std::thread::hardware_concurrency(),
                [&](size_t chunk) { body(chunk * grain, std::min(count, (chunk + 1) * grain)); });
}

} // namespace bitlens

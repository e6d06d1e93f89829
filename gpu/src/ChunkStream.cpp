// SPDX-License-Identifier: MIT
#include "ChunkStream.h"

#include "core/util/Error.h"

namespace bitlens {

ChunkStream::ChunkStream(std::shared_ptr<VulkanContext> context, size_t slots) {
    slots_.reserve(slots);
    for (size_t i = 0; i < slots; ++i)
        slots_.emplace_back(context);
}

void ChunkStream::run(uint64_t count, const Record& record, const Collect& collect,
                      const ProgressFn& progress) {
    std::vector<uint64_t> owner(slots_.size(), 0);
    auto drain = [&] {
        for (size_t s = 0; s < slots_.size(); ++s) {
            if (slots_[s].pending()) {
                slots_[s].wait();
                collect(owner[s], s);
            }
        }
    };
    try {
        for (uint64_t chunk = 0; chunk < count; ++chunk) {
            const size_t s = size_t(chunk % slots_.size());
            if (slots_[s].pending()) {
                slots_[s].wait();
                collect(owner[s], s);
                if (progress && !progress(chunk + 1 - slots_.size(), count)) {
                    drain();
                    throw Cancelled();
                }
            }
            slots_[s].begin();
            record(chunk, s, slots_[s].command());
            slots_[s].submit();
            owner[s] = chunk;
        }
        drain();
    } catch (...) {
        // Never leave work in flight that writes buffers the caller is about to free.
        for (CommandSlot& slot : slots_)
            slot.wait();
        throw;
    }
    if (progress)
        progress(count, count); // nothing is left to cancel
}

} // namespace bitlens

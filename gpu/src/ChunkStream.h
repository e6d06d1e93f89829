// SPDX-License-Identifier: MIT
#pragma once

#include "CommandSlot.h"
#include "core/backend/QuantBackend.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

namespace bitlens {

// Runs a sequence of chunks through a few command slots so that the host fills the staging
// buffers of chunk k+1 while the device still works on chunk k.
class ChunkStream {
public:
    // record(chunk, slot, command): write the chunk's uploads into the slot's staging buffers and
    // record its commands; collect(chunk, slot): read the slot's readback buffers once the
    // device finished the chunk. Both run on the calling thread; each slot's buffers are only
    // touched by the chunk that currently owns the slot.
    using Record = std::function<void(uint64_t chunk, size_t slot, VkCommandBuffer command)>;
    using Collect = std::function<void(uint64_t chunk, size_t slot)>;

    ChunkStream(std::shared_ptr<VulkanContext> context, size_t slots = 2);

    size_t slotCount() const { return slots_.size(); }
    CommandSlot& slot(size_t index) { return slots_[index]; }

    // Runs chunks 0..count-1 and collects every one before returning. Progress is reported in
    // chunks; when it returns false the in-flight chunks are drained and Cancelled is thrown.
    void run(uint64_t count, const Record& record, const Collect& collect,
             const ProgressFn& progress);

private:
    std::vector<CommandSlot> slots_;
};

} // namespace bitlens

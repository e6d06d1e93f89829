// SPDX-License-Identifier: MIT
#pragma once

#include "GpuBuffer.h"
#include "KernelLibrary.h"

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>

namespace bitlens {

// Records forward-pass operators (MatMulOp.h, ImageOps.h, ElementwiseOps.h, RowOps.h, RopeOp.h,
// AttentionOp.h) into one command buffer. Every dispatch is followed by a full barrier, so each
// operator sees what the ones recorded before it wrote. The recorder does not own the command
// buffer; the caller begins, submits and waits for it (ComputeSession::run does all three).
class OpRecorder {
public:
    OpRecorder(KernelLibrary& kernels, VkCommandBuffer command)
        : kernels_(kernels), command_(command) {}

    VkCommandBuffer command() const { return command_; }

    // Binds `buffers` (whole) to bindings 0.. of `shader`, pushes `parameters` and dispatches
    // `groups` workgroups, then records a barrier.
    template <typename Parameters>
    void dispatch(const std::string& shader, std::initializer_list<const GpuBuffer*> buffers,
                  const Parameters& parameters, uint64_t groups) {
        dispatchBytes(shader, buffers, std::as_bytes(std::span<const Parameters>(&parameters, 1)),
                      groups);
    }

    // Throws Error naming `what` when `buffer` holds fewer than `count` floats.
    static void requireFloats(const GpuBuffer& buffer, uint64_t count, const char* what);
    // `value` as a shader index: throws Error naming `what` when it does not fit 32 bits.
    static uint32_t index32(uint64_t value, const char* what);

private:
    void dispatchBytes(const std::string& shader, std::initializer_list<const GpuBuffer*> buffers,
                       std::span<const std::byte> parameters, uint64_t groups);

    KernelLibrary& kernels_;
    VkCommandBuffer command_;
};

// Workgroups of `threads` invocations that cover `count` items.
inline uint64_t groupsFor(uint64_t count, uint64_t threads) {
    return (count + threads - 1) / threads;
}

} // namespace bitlens

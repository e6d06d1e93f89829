// SPDX-License-Identifier: MIT
#pragma once

#include "core/io/Checkpoint.h"
#include "core/quant/Format.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace bitlens {

// Push constants of every format kernel (32 bytes, the layout `Parameters` in the shaders).
struct FormatPushConstants {
    uint32_t rows = 0;      // rows in this chunk
    uint32_t rowLength = 0; // values per row
    uint32_t blockLength = 0;
    uint32_t parameters[5] = {};
};
static_assert(sizeof(FormatPushConstants) == 32);

// lo = min(0, min v), hi = max(0, max v), absmax = max |v| over a whole tensor, folded with the
// std::min/std::max rules of the CPU reference.
struct TensorRange {
    float lo = 0;
    float hi = 0;
    float absmax = 0;
};

// A pass of a format's shader over the whole tensor before quantization, chunk by chunk in row
// order, with the quantization's pushConstants() and workgroups() (or `workgroups` when not 0).
// Bindings: 0 the chunk's float values, 1 the chunk's output (outputBytesPerRow per row; the
// outputs of all chunks are concatenated for finishScan), 2 unused, 3 the scan state: a buffer
// that starts as initialState and stays on the device across the chunks, each chunk seeing what
// the previous one wrote.
struct TensorScan {
    std::vector<uint32_t> specialization;
    uint64_t outputBytesPerRow = 0;
    std::vector<std::byte> initialState;
    uint64_t workgroups = 0;
    // Not 0: the shader walks the chunk's values one after another, and the backend splits each
    // chunk into dispatches of at most this many values, each seeing them as one row (a loop
    // budget: see int_quant.comp).
    uint64_t valuesPerDispatch = 0;
    // Every workgroup reads all of its dispatch's values through input_windows.glsl, in step
    // (ComputeKernel's kEveryWorkgroupReadsAllInput); needs valuesPerDispatch within the windows.
    bool windowedInput = false;
};

// Invocations per workgroup of every format shader (local_size_x = 64).
inline constexpr uint64_t kFormatInvocationsPerWorkgroup = 64;
// Floats per invocation slot of a kernel that sums errors (error_partials.glsl).
inline constexpr uint64_t kErrorPartialFloats = 8;
// Error slots per workgroup of a "_lanes" kernel: one per group of eight invocations
// (group_error_partials.glsl); other kernels that sum errors have kFormatInvocationsPerWorkgroup.
inline constexpr uint64_t kLaneGroupsPerWorkgroup = 8;

// How the Vulkan backend runs one format on a chunk of whole rows. Every format kernel has the
// same bindings: 0 the float values, 1 the packed bytes of the chunk's rows, 2 the dequantized
// floats, 3 chunkData() of the chunk (shaders without tensor data need not declare it), and for
// kernels that sumsErrors() 4 the error partials. The packed
// layout must be a header followed by rows of rowBytes() each. Made per tensor (it may keep tensor
// state). Call order: needsTensorRange() ? prepare(range); scan() ? finishScan(); header(); then
// pushConstants()/workgroups()/chunkData() per chunk.
class FormatKernel {
public:
    virtual ~FormatKernel() = default;
    // Formats with one tensor-wide scale return true; the backend then measures the tensor's
    // range first and calls prepare() once.
    virtual bool needsTensorRange() const { return false; }
    virtual void prepare(const TensorRange& range) { (void)range; }
    // A scan of the whole tensor the header depends on (after prepare()), nullopt for none.
    virtual std::optional<TensorScan> scan(uint64_t rowLength) const {
        (void)rowLength;
        return std::nullopt;
    }
    // The scan's outputs of all chunks in row order and its final state.
    virtual void finishScan(std::span<const std::byte> outputs, std::span<const std::byte> state) {
        (void)outputs;
        (void)state;
    }
    // The bytes that start the packed tensor (empty for row-by-row layouts).
    virtual std::vector<std::byte> header() const { return {}; }
    // Packed bytes of one row after the header; 0: packedBytes(2 rows) - packedBytes(1 row).
    virtual uint64_t rowBytes(uint64_t rowLength) const {
        (void)rowLength;
        return 0;
    }
    // Binding 3 of the chunk starting at firstRow (valid while the kernel lives); empty: the
    // shader reads no tensor data.
    virtual std::span<const std::byte> chunkData(uint64_t firstRow, MatrixShape chunk) const {
        (void)firstRow;
        (void)chunk;
        return {};
    }
    // True when the shader sums the error terms of the values it dequantizes itself
    // (error_partials.glsl: one slot of kErrorPartialFloats floats per invocation at binding 4),
    // so that the backend runs no separate error_sums pass over the chunk.
    virtual bool sumsErrors() const { return false; }
    // Not 0: the quantizing shader, on rows of rowLength values, reads its values through
    // input_windows.glsl, each workgroup this many octets of them (see ComputeKernel).
    virtual uint64_t inputOctetsPerWorkgroup(uint64_t rowLength) const {
        (void)rowLength;
        return 0;
    }
    virtual std::string shader() const = 0;
    // True when "<shader()>_lanes" encodes rows of rowLength values as the shader does, with the
    // same bindings, push constants and specialization, laneWorkgroups() workgroups and
    // kLaneGroupsPerWorkgroup error slots each, and reads its input from storage buffers (no
    // input windows). The backend runs it on contexts with VulkanContext::laneKernels().
    virtual bool hasLaneVariant(uint64_t rowLength) const {
        (void)rowLength;
        return false;
    }
    // The workgroups of the "_lanes" variant, where they differ from workgroups().
    virtual uint64_t laneWorkgroups(MatrixShape chunk) const { return workgroups(chunk); }
    // The shader's specialization constants for rows of rowLength values.
    virtual std::vector<uint32_t> specialization(uint64_t rowLength) const {
        (void)rowLength;
        return {};
    }
    virtual FormatPushConstants pushConstants(MatrixShape chunk) const = 0;
    virtual uint64_t workgroups(MatrixShape chunk) const = 0;
};

// The Vulkan kernel for this format, nullptr when the backend has none yet.
std::unique_ptr<FormatKernel> findFormatKernel(const Format& format);

} // namespace bitlens

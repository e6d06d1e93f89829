// SPDX-License-Identifier: MIT
#pragma once

#include "ChunkStream.h"
#include "FormatKernel.h"
#include "GpuBuffer.h"
#include "HostMemoryView.h"
#include "KernelLibrary.h"
#include "MemoryBandwidth.h"
#include "VulkanContext.h"
#include "core/backend/QuantBackend.h"
#include "core/tensor/DType.h"

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <vector>

namespace bitlens {

struct VulkanBackendOptions {
    VulkanContextOptions context;
    // Upper bound of one chunk's float values in bytes; 0: min(maxStorageBufferRange, 32 MiB).
    // Always capped by maxStorageBufferRange.
    uint64_t chunkBytes = 0;
    std::filesystem::path pipelineCachePath; // empty: PipelineCache::defaultPath
};

// Quantization on a Vulkan device, bit-identical to the CPU reference for the formats it has
// kernels for (supports()). Tensors are streamed in row chunks that fit the device's storage
// buffer range, with two chunks in flight. One thread at a time.
class VulkanBackend : public QuantBackend {
public:
    // Throws NoVulkanDevice when there is no usable device: callers fall back to the CPU backend
    // and tell the user.
    explicit VulkanBackend(VulkanBackendOptions options = {});
    ~VulkanBackend() override;

    std::string name() const override; // "vulkan: <device name>"
    // True when this backend has a kernel for the format; quantize() of another format throws
    // Error "format X has no Vulkan kernel yet" (callers use the CPU backend, with a notice).
    bool supports(const Format& format) const;

    QuantizedTensor quantize(std::span<const float> values, MatrixShape shape, const Format& format,
                             const ProgressFn& progress) override;
    // The same from the tensor's stored bytes: F32, F16 or BF16 (converted on the device).
    QuantizedTensor quantizeRaw(std::span<const std::byte> data, DType dtype, MatrixShape shape,
                                const Format& format, const ProgressFn& progress);

    // F16 or BF16 (or F32) element bytes to float32 on the device, as core/tensor/FloatBits.
    std::vector<float> toFloat(std::span<const std::byte> data, DType dtype);
    // ErrorMetrics of dequantized against original, reduced on the device.
    ErrorMetrics errorMetrics(std::span<const float> original, std::span<const float> dequantized);
    // Counts per bin (bins = edges.size() - 1, at most 4096): edges[0..bins-1] are ascending lower
    // bounds (+infinity for a bin nothing reaches) and v falls in the last bin i with
    // edges[i] <= v; v < edges[0] is underflow, v > edges[bins] overflow. Then come the underflow,
    // overflow and NaN counts. With reference non-empty, v = values[i] - reference[i] in float.
    // equalWidthFloatEdges (HistogramEdges.h) gives edges that reproduce the CPU histogram.
    std::vector<uint64_t> histogram(std::span<const float> values, std::span<const float> edges,
                                    std::span<const float> reference = {});

    const VulkanContext& context() const { return *context_; }
    // The device's memory bandwidth (measureMemoryBandwidth: copies between two device-local
    // buffers of `bytes`, a multiple of 16, best of `repeats`).
    MemoryBandwidth memoryBandwidth(uint64_t bytes, unsigned repeats);
    // Device time of the last quantize()'s format and metrics kernels, summed over its chunks
    // (timestamp queries; 0 when the device has none). With the wall time of the call it splits
    // kernel time from upload/readback time: the timing `bench formats` reports.
    double lastKernelSeconds() const { return lastKernelSeconds_; }
    uint64_t chunkBytes() const { return chunkBytes_; }
    // True when the last quantize() could import the tensor, the dequantized values and the
    // packed bytes (HostMemoryView), so that the device reads and writes them in place; false
    // where any goes through host copies to or from staging buffers.
    bool lastUsedHostMemoryInPlace() const { return lastInPlace_; }
    // True when the last quantize() ran its format's "_lanes" kernel (VulkanContext::laneKernels).
    bool lastUsedLaneKernel() const { return lastUsedLaneKernel_; }

private:
    struct Slot;
    // A tensor's rows split into chunks of `rowsPerChunk` rows (the last one may be shorter).
    struct RowChunks {
        MatrixShape tensor;
        uint64_t rowsPerChunk = 1;
        uint64_t count() const { return (tensor.rows + rowsPerChunk - 1) / rowsPerChunk; }
        uint64_t firstRow(uint64_t chunk) const { return chunk * rowsPerChunk; }
        MatrixShape shape(uint64_t chunk) const {
            return {std::min(rowsPerChunk, tensor.rows - firstRow(chunk)), tensor.rowLength};
        }
    };
    // One input of a reduction: the bytes of its values.
    struct ReductionInput {
        std::span<const std::byte> data;
        DType dtype;
    };
    // A reduction shader with one workgroup per valuesPerWorkgroup values writing
    // partialBytesPerWorkgroup bytes of float partials. Its bindings are the inputs' floats with
    // the partials inserted at partialsBinding, then the first repeatedInputs inputs again; its
    // push constant is the chunk's value count. fold(partials, count) gets every chunk's
    // partials in order.
    struct Reduction {
        const ComputeKernel& kernel;
        uint64_t valuesPerWorkgroup;
        uint64_t partialBytesPerWorkgroup;
        size_t partialsBinding;
        size_t repeatedInputs;
        std::function<void(std::span<const float> partials, uint64_t count)> fold;
    };

    Slot& slotBuffers(size_t slot);
    // Uploads values first .. first + count - 1 of one input into the slot's staging buffer
    // `input` and records what turns them into float32 on the device (a copy, or the F16/BF16
    // conversion); returns the binding holding the floats. With `direct` (unified memory) shaders
    // read the upload buffer itself, or the data in place through `view` (a HostMemoryView of
    // `data`, may be null) where its offsets allow; otherwise the device copies from `view`, where
    // there is one, instead of the staging buffer.
    BufferRange recordInput(VkCommandBuffer command, Slot& slot, size_t input,
                            std::span<const std::byte> data, DType dtype, uint64_t first,
                            uint64_t count, bool direct, const HostMemoryView* view = nullptr);
    // Streams the inputs (of equal length) through a reduction chunk by chunk.
    void reduce(std::span<const ReductionInput> inputs, const Reduction& reduction);
    // The range of a whole tensor (for formats with a tensor-wide scale), measured on the device.
    TensorRange tensorRange(std::span<const std::byte> data, DType dtype);
    // Runs a format kernel's scan over the tensor and hands its outputs and state to the kernel.
    void runScan(FormatKernel& kernel, const TensorScan& scan, std::span<const std::byte> data,
                 DType dtype, const RowChunks& chunks, const HostMemoryView* dataView);
    // The binding 3 holding `bytes`, or `fallback` when there are none.
    BufferRange uploadChunkData(Slot& slot, std::span<const std::byte> bytes,
                                const BufferRange& fallback);
    QuantizedTensor runQuantize(std::span<const std::byte> data, DType dtype, MatrixShape shape,
                                const Format& format, const ProgressFn& progress);

    std::shared_ptr<VulkanContext> context_;
    std::unique_ptr<KernelLibrary> kernels_;
    std::unique_ptr<ChunkStream> stream_; // reused by every call: one call at a time
    uint64_t chunkBytes_ = 0;
    std::vector<std::unique_ptr<Slot>> slots_;
    double lastKernelSeconds_ = 0;
    bool lastInPlace_ = false;
    bool lastUsedLaneKernel_ = false;
};

} // namespace bitlens

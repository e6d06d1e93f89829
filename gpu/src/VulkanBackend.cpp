// SPDX-License-Identifier: MIT
#include "VulkanBackend.h"

#include "ChunkStream.h"
#include "FormatKernel.h"
#include "InputWindows.h"
#include "core/tensor/FloatBits.h"
#include "core/util/Error.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace bitlens {
namespace {

constexpr uint64_t kDefaultChunkBytes = 32ull << 20;
constexpr uint32_t kErrorSumsPerWorkgroup = 16384; // VALUES_PER_WORKGROUP in error_sums.comp
constexpr uint32_t kErrorSumsFields = 5;
constexpr uint32_t kHistogramPerWorkgroup = 4096; // THREADS * PER_THREAD in histogram.comp
constexpr uint32_t kHistogramMaxBins = 4096;
constexpr uint32_t kConvertPerWorkgroup = 256;
constexpr uint32_t kRangePerWorkgroup = 4096; // VALUES_PER_WORKGROUP in range.comp
constexpr uint32_t kRangeInvocations = 64;    // THREADS in range.comp, three partials each

uint64_t divideUp(uint64_t a, uint64_t b) {
    return (a + b - 1) / b;
}

template <typename T> std::span<const std::byte> bytesOf(const T& value) {
    return std::as_bytes(std::span<const T>(&value, 1));
}

size_t elementBytes(DType dtype) {
    switch (dtype) {
    case DType::F32:
        return 4;
    case DType::F16:
    case DType::BF16:
        return 2;
    default:
        throw Error("the Vulkan backend reads F32, F16 or BF16 tensors, not " +
                    std::string(dtypeName(dtype)));
    }
}

// Grows a buffer to at least `bytes` (never shrinks: slots are reused for every tensor).
void ensure(GpuBuffer& buffer, const std::shared_ptr<VulkanContext>& context, uint64_t bytes,
            GpuBuffer::Kind kind) {
    if (buffer.get() != VK_NULL_HANDLE && buffer.size() >= bytes)
        return;
    buffer = GpuBuffer(); // free first: the old and new buffers need not fit together
    buffer = GpuBuffer(context, std::max<uint64_t>(bytes, 256), kind);
}

// The buffer from `offset` to its end, as a binding or a transfer's end.
BufferRange whole(const GpuBuffer& buffer, uint64_t offset = 0) {
    return {buffer.get(), offset, VK_WHOLE_SIZE};
}

// Records a transfer of `bytes` from the start of one range to the start of another.
void copy(VkCommandBuffer command, const BufferRange& from, const BufferRange& to, uint64_t bytes) {
    if (bytes == 0)
        return;
    const VkBufferCopy region{from.offset, to.offset, bytes};
    vkCmdCopyBuffer(command, from.buffer, to.buffer, 1, &region);
}

// Bytes of imported host memory as the device uses them: a shader binding on unified memory
// (`direct`), where its offset suits one; a transfer's source or destination otherwise.
std::optional<BufferRange> hostRange(const HostMemoryView& view, bool direct, uint64_t first,
                                     uint64_t count) {
    if (direct)
        return view.range(first, count);
    return view.transferRange(first, count);
}

// A chunk whose dequantized values are not all finite comes from input the CPU reference refuses
// (non-finite values, scales that overflow fp16): run the reference on the rows up to the end of
// that chunk so that the caller gets its exact error, value indices included. Returns only if
// the reference accepts them.
void refuseLikeReference(const Format& format, std::span<const std::byte> data, DType dtype,
                         MatrixShape rows) {
    std::vector<float> values(rows.elements());
    for (size_t i = 0; i < values.size(); ++i) {
        if (dtype == DType::F32) {
            std::memcpy(&values[i], data.data() + 4 * i, 4);
        } else {
            uint16_t bits;
            std::memcpy(&bits, data.data() + 2 * i, 2);
            values[i] = dtype == DType::F16 ? halfToFloat(bits) : bf16ToFloat(bits);
        }
    }
    std::vector<std::byte> packed(format.packedBytes(rows));
    format.quantize(values, rows, packed);
}

// Partials of `stride` floats each, the first five ErrorAccumulator's sums and maximum (the
// layout of error_sums.comp with stride kErrorSumsFields, of error_partials.glsl with
// kErrorPartialFloats).
ErrorAccumulator::Sums sumPartials(std::span<const float> partials, uint64_t count, size_t stride) {
    ErrorAccumulator::Sums sums;
    sums.count = count;
    for (size_t i = 0; i + stride <= partials.size(); i += stride) {
        sums.sumSquaredError += partials[i];
        sums.sumSquaredOriginal += partials[i + 1];
        sums.sumSquaredDequantized += partials[i + 2];
        sums.sumProduct += partials[i + 3];
        sums.maxAbsError = std::max(sums.maxAbsError, double(partials[i + 4]));
    }
    return sums;
}

} // namespace

// The buffers of one chunk slot. Grown on demand and kept for the next tensor.
struct VulkanBackend::Slot {
    GpuBuffer upload[2];  // host -> device staging: the chunk's input bytes (one per input)
    GpuBuffer raw[2];     // device copy of F16/BF16 input before conversion
    GpuBuffer values[2];  // float32 input values
    GpuBuffer second;     // dequantized values
    GpuBuffer packed;     // packed bytes of the chunk (or a scan's output)
    GpuBuffer small;      // error partial sums or histogram counts
    GpuBuffer tensorData; // host -> device: the format kernel's chunk data (binding 3)
    GpuBuffer readValues; // device -> host: dequantized values / converted floats
    GpuBuffer readPacked; // device -> host: packed bytes
    GpuBuffer readSmall;  // device -> host: partial sums / counts
};

VulkanBackend::VulkanBackend(VulkanBackendOptions options)
    : context_(VulkanContext::create(options.context)),
      kernels_(std::make_unique<KernelLibrary>(context_, options.pipelineCachePath)),
      stream_(std::make_unique<ChunkStream>(context_)) {
    const uint64_t range = context_->description().maxStorageBufferRange;
    chunkBytes_ = options.chunkBytes ? options.chunkBytes : kDefaultChunkBytes;
    chunkBytes_ = std::max<uint64_t>(std::min(chunkBytes_, range) / 4 * 4, 4);
}

VulkanBackend::~VulkanBackend() = default;

std::string VulkanBackend::name() const {
    return "vulkan: " + context_->description().name;
}

bool VulkanBackend::supports(const Format& format) const {
    return findFormatKernel(format) != nullptr;
}

VulkanBackend::Slot& VulkanBackend::slotBuffers(size_t slot) {
    while (slots_.size() <= slot)
        slots_.push_back(std::make_unique<Slot>());
    return *slots_[slot];
}

BufferRange VulkanBackend::recordInput(VkCommandBuffer command, Slot& slot, size_t input,
                                       std::span<const std::byte> data, DType dtype, uint64_t first,
                                       uint64_t count, bool direct, const HostMemoryView* view) {
    const size_t size = elementBytes(dtype);
    std::optional<BufferRange> source;
    if (view)
        source = hostRange(*view, direct, first * size, count * size);
    GpuBuffer& upload = slot.upload[input];
    if (!source) {
        ensure(upload, context_, count * size, GpuBuffer::Kind::Upload);
        std::memcpy(upload.mapped().data(), data.data() + first * size, count * size);
        upload.flush();
        source = BufferRange{upload.get(), 0, VK_WHOLE_SIZE};
    }
    if (dtype == DType::F32 && direct)
        return *source;
    GpuBuffer& values = slot.values[input];
    ensure(values, context_, count * 4, GpuBuffer::Kind::DeviceLocal);
    if (dtype == DType::F32) {
        copy(command, *source, whole(values), count * 4);
        return {values.get(), 0, VK_WHOLE_SIZE};
    }
    if (!direct) {
        ensure(slot.raw[input], context_, count * 2, GpuBuffer::Kind::DeviceLocal);
        copy(command, *source, whole(slot.raw[input]), count * 2);
        CommandSlot::barrier(command);
        source = BufferRange{slot.raw[input].get(), 0, VK_WHOLE_SIZE};
    }
    const uint32_t pushed = uint32_t(count);
    const BufferRange buffers[] = {*source, {values.get(), 0, VK_WHOLE_SIZE}};
    kernels_->kernel(dtype == DType::F16 ? "convert_f16" : "convert_bf16", 2, 4)
        .record(command, buffers, bytesOf(pushed), divideUp(count, kConvertPerWorkgroup));
    return {values.get(), 0, VK_WHOLE_SIZE};
}

std::vector<float> VulkanBackend::toFloat(std::span<const std::byte> data, DType dtype) {
    const size_t size = elementBytes(dtype);
    if (data.size() % size != 0)
        throw Error("tensor bytes are not a whole number of " + std::string(dtypeName(dtype)) +
                    " values");
    const uint64_t count = data.size() / size;
    std::vector<float> result(count);
    const uint64_t perChunk = chunkBytes_ / 4;
    stream_->run(
        divideUp(count, perChunk),
        [&](uint64_t chunk, size_t s, VkCommandBuffer command) {
            Slot& slot = slotBuffers(s);
            const uint64_t first = chunk * perChunk;
            const uint64_t n = std::min(perChunk, count - first);
            ensure(slot.readValues, context_, n * 4, GpuBuffer::Kind::Readback);
            const BufferRange floats = recordInput(command, slot, 0, data, dtype, first, n, false);
            CommandSlot::barrier(command);
            const VkBufferCopy region{0, 0, n * 4};
            vkCmdCopyBuffer(command, floats.buffer, slot.readValues.get(), 1, &region);
            CommandSlot::barrierToHost(command);
        },
        [&](uint64_t chunk, size_t s) {
            Slot& slot = slotBuffers(s);
            const uint64_t first = chunk * perChunk;
            const uint64_t n = std::min(perChunk, count - first);
            slot.readValues.invalidate();
            std::memcpy(result.data() + first, slot.readValues.mapped().data(), n * 4);
        },
        {});
    return result;
}

void VulkanBackend::reduce(std::span<const ReductionInput> inputs, const Reduction& reduction) {
    const uint64_t count = inputs.front().data.size() / elementBytes(inputs.front().dtype);
    const uint64_t per = reduction.valuesPerWorkgroup;
    const uint64_t step = std::max<uint64_t>(chunkBytes_ / 4 / per * per, per);
    const bool direct = context_->unifiedMemory();
    std::vector<std::optional<HostMemoryView>> views;
    for (const ReductionInput& input : inputs)
        views.push_back(HostMemoryView::import(context_, input.data));
    stream_->run(
        divideUp(count, step),
        [&](uint64_t chunk, size_t s, VkCommandBuffer command) {
            Slot& slot = slotBuffers(s);
            const uint64_t first = chunk * step;
            const uint64_t n = std::min(step, count - first);
            const uint64_t partialBytes = divideUp(n, per) * reduction.partialBytesPerWorkgroup;
            ensure(slot.readSmall, context_, partialBytes, GpuBuffer::Kind::Readback);
            if (!direct)
                ensure(slot.small, context_, partialBytes, GpuBuffer::Kind::DeviceLocal);
            std::vector<BufferRange> buffers;
            for (size_t i = 0; i < inputs.size(); ++i) {
                const BufferRange floats =
                    recordInput(command, slot, i, inputs[i].data, inputs[i].dtype, first, n, direct,
                                views[i] ? &*views[i] : nullptr);
                buffers.push_back({floats.buffer, floats.offset, n * 4});
            }
            const GpuBuffer& partials = direct ? slot.readSmall : slot.small;
            buffers.insert(buffers.begin() + ptrdiff_t(reduction.partialsBinding),
                           {partials.get(), 0, VK_WHOLE_SIZE});
            // error_sums reads its two inputs again as single floats after the partials.
            for (size_t i = 0; i < reduction.repeatedInputs; ++i)
                buffers.push_back(buffers[i]);
            CommandSlot::barrier(command);
            const uint32_t pushed = uint32_t(n);
            reduction.kernel.record(command, buffers, bytesOf(pushed), divideUp(n, per));
            CommandSlot::barrier(command);
            if (!direct)
                copy(command, whole(slot.small), whole(slot.readSmall), partialBytes);
            CommandSlot::barrierToHost(command);
        },
        [&](uint64_t chunk, size_t s) {
            Slot& slot = slotBuffers(s);
            const uint64_t n = std::min(step, count - chunk * step);
            slot.readSmall.invalidate();
            const auto* partials = reinterpret_cast<const float*>(slot.readSmall.mapped().data());
            reduction.fold(
                {partials, size_t(divideUp(n, per) * reduction.partialBytesPerWorkgroup / 4)}, n);
        },
        {});
}

ErrorMetrics VulkanBackend::errorMetrics(std::span<const float> original,
                                         std::span<const float> dequantized) {
    if (original.size() != dequantized.size())
        throw Error("error metrics need as many dequantized values as original ones");
    ErrorAccumulator total;
    const ReductionInput inputs[] = {{std::as_bytes(original), DType::F32},
                                     {std::as_bytes(dequantized), DType::F32}};
    reduce(inputs,
           {kernels_->kernel("error_sums", 5, 4), kErrorSumsPerWorkgroup, kErrorSumsFields * 4, 2,
            2, [&](std::span<const float> partials, uint64_t n) {
                total.merge(ErrorAccumulator::fromSums(sumPartials(partials, n, kErrorSumsFields)));
            }});
    return total.finish();
}

std::vector<uint64_t> VulkanBackend::histogram(std::span<const float> values,
                                               std::span<const float> edges,
                                               std::span<const float> reference) {
    if (edges.size() < 2 || edges.size() - 1 > kHistogramMaxBins)
        throw Error("a histogram needs 1 to 4096 bins");
    if (!std::is_sorted(edges.begin(), edges.end() - 1) ||
        std::any_of(edges.begin(), edges.end(), [](float e) { return std::isnan(e); }) ||
        !(edges.back() >= edges.front()))
        throw Error("histogram edges must be ascending numbers");
    if (!reference.empty() && reference.size() != values.size())
        throw Error("an error histogram needs as many reference values as values");
    const uint32_t bins = uint32_t(edges.size() - 1);
    const uint64_t count = values.size();
    const uint64_t step = std::max<uint64_t>(
        chunkBytes_ / 4 / kHistogramPerWorkgroup * kHistogramPerWorkgroup, kHistogramPerWorkgroup);
    const uint64_t edgesBytes = edges.size() * 4;
    const uint64_t countsBytes = (bins + 3) * 4;
    std::vector<uint64_t> counts(bins + 3, 0);
    stream_->run(
        divideUp(count, step),
        [&](uint64_t chunk, size_t s, VkCommandBuffer command) {
            Slot& slot = slotBuffers(s);
            const uint64_t first = chunk * step;
            const uint64_t n = std::min(step, count - first);
            const uint64_t valueBytes = n * 4;
            // Upload: values, reference (error mode), edges.
            const uint64_t referenceBytes = reference.empty() ? 0 : valueBytes;
            ensure(slot.upload[0], context_, valueBytes + referenceBytes + edgesBytes,
                   GpuBuffer::Kind::Upload);
            ensure(slot.values[0], context_, valueBytes, GpuBuffer::Kind::DeviceLocal);
            ensure(slot.second, context_, std::max<uint64_t>(referenceBytes, 4),
                   GpuBuffer::Kind::DeviceLocal);
            ensure(slot.packed, context_, edgesBytes, GpuBuffer::Kind::DeviceLocal);
            ensure(slot.small, context_, countsBytes, GpuBuffer::Kind::DeviceLocal);
            ensure(slot.readSmall, context_, countsBytes, GpuBuffer::Kind::Readback);
            std::byte* upload = slot.upload[0].mapped().data();
            std::memcpy(upload, values.data() + first, valueBytes);
            if (referenceBytes)
                std::memcpy(upload + valueBytes, reference.data() + first, referenceBytes);
            std::memcpy(upload + valueBytes + referenceBytes, edges.data(), edgesBytes);
            slot.upload[0].flush();
            copy(command, whole(slot.upload[0]), whole(slot.values[0]), valueBytes);
            copy(command, whole(slot.upload[0], valueBytes), whole(slot.second), referenceBytes);
            copy(command, whole(slot.upload[0], valueBytes + referenceBytes), whole(slot.packed),
                 edgesBytes);
            vkCmdFillBuffer(command, slot.small.get(), 0, countsBytes, 0);
            CommandSlot::barrier(command);
            const uint32_t pushed[3] = {uint32_t(n), bins, reference.empty() ? 0u : 1u};
            const BufferRange buffers[] = {{slot.values[0].get(), 0, VK_WHOLE_SIZE},
                                           {slot.second.get(), 0, VK_WHOLE_SIZE},
                                           {slot.packed.get(), 0, VK_WHOLE_SIZE},
                                           {slot.small.get(), 0, VK_WHOLE_SIZE}};
            kernels_->kernel("histogram", 4, sizeof pushed)
                .record(command, buffers, std::as_bytes(std::span(pushed)),
                        divideUp(n, kHistogramPerWorkgroup));
            CommandSlot::barrier(command);
            copy(command, whole(slot.small), whole(slot.readSmall), countsBytes);
            CommandSlot::barrierToHost(command);
        },
        [&](uint64_t, size_t s) {
            Slot& slot = slotBuffers(s);
            slot.readSmall.invalidate();
            const auto* chunkCounts =
                reinterpret_cast<const uint32_t*>(slot.readSmall.mapped().data());
            for (uint32_t i = 0; i < bins + 3; ++i)
                counts[i] += chunkCounts[i];
        },
        {});
    return counts;
}

TensorRange VulkanBackend::tensorRange(std::span<const std::byte> data, DType dtype) {
    TensorRange range;
    const ReductionInput inputs[] = {{data, dtype}};
    reduce(inputs, {kernels_->kernel("range", 2, 4, {}, kRangePerWorkgroup / 8), kRangePerWorkgroup,
                    kRangeInvocations * 12, 1, 0, [&](std::span<const float> partials, uint64_t) {
                        for (size_t i = 0; i + 3 <= partials.size(); i += 3) {
                            range.lo = std::min(range.lo, partials[i]);
                            range.hi = std::max(range.hi, partials[i + 1]);
                            range.absmax = std::max(range.absmax, partials[i + 2]);
                        }
                    }});
    return range;
}

MemoryBandwidth VulkanBackend::memoryBandwidth(uint64_t bytes, unsigned repeats) {
    return measureMemoryBandwidth(context_, kernels_->kernel(kCopyWordsShader, 2, 4), bytes,
                                  repeats);
}

QuantizedTensor VulkanBackend::quantize(std::span<const float> values, MatrixShape shape,
                                        const Format& format, const ProgressFn& progress) {
    return runQuantize(std::as_bytes(values), DType::F32, shape, format, progress);
}

QuantizedTensor VulkanBackend::quantizeRaw(std::span<const std::byte> data, DType dtype,
                                           MatrixShape shape, const Format& format,
                                           const ProgressFn& progress) {
    return runQuantize(data, dtype, shape, format, progress);
}

QuantizedTensor VulkanBackend::runQuantize(std::span<const std::byte> data, DType dtype,
                                           MatrixShape shape, const Format& format,
                                           const ProgressFn& progress) {
    const std::unique_ptr<FormatKernel> kernel = findFormatKernel(format);
    if (!kernel)
        throw Error("format " + format.id() + " has no Vulkan kernel yet");
    const size_t size = elementBytes(dtype);
    if (data.size() != shape.elements() * size)
        throw Error("tensor bytes do not match its shape");
    if (const std::string reason = format.unsupportedReason(shape.rowLength); !reason.empty())
        throw Error(format.id() + ": " + reason);

    const uint64_t range = context_->description().maxStorageBufferRange;
    const uint64_t rowValueBytes = shape.rowLength * 4;
    // Layout: a header, then rows of equal size.
    const uint64_t oneRow = format.packedBytes({1, shape.rowLength});
    uint64_t rowPackedBytes = kernel->rowBytes(shape.rowLength);
    if (rowPackedBytes == 0) {
        rowPackedBytes = format.packedBytes({2, shape.rowLength}) - oneRow;
        if (format.packedBytes({3, shape.rowLength}) != oneRow + 2 * rowPackedBytes ||
            rowPackedBytes > oneRow)
            throw Error("format " + format.id() + " is not packed row by row");
    }
    const uint64_t totalBytes = format.packedBytes(shape);
    if (totalBytes < shape.rows * rowPackedBytes)
        throw Error("format " + format.id() + ": kernel row size disagrees with the format");
    const uint64_t headerBytes = totalBytes - shape.rows * rowPackedBytes;
    if (rowValueBytes > range || rowPackedBytes > range)
        throw Error("a row of " + std::to_string(shape.rowLength) +
                    " values does not fit the device's storage buffer range of " +
                    std::to_string(range) + " bytes");
    uint64_t rowsPerChunk = std::max<uint64_t>(chunkBytes_ / rowValueBytes, 1);
    rowsPerChunk = std::min(rowsPerChunk,
                            std::max<uint64_t>(range / std::max<uint64_t>(rowPackedBytes, 1), 1));
    rowsPerChunk =
        std::min<uint64_t>(rowsPerChunk, UINT32_MAX / std::max<uint64_t>(shape.rowLength, 1));
    const RowChunks chunks{shape, rowsPerChunk};

    QuantizedTensor result;
    result.formatId = format.id();
    result.shape = shape;
    result.packed.resize(totalBytes);
    result.dequantized.resize(shape.elements());
    // On unified memory (lavapipe, integrated GPUs) the shaders read the upload buffers and write
    // the readback buffers themselves instead of going through device-local copies, or read the
    // input and write the dequantized values and packed rows in place where host memory can be
    // imported. A discrete GPU's transfers read and write imported host memory in place.
    const bool direct = context_->unifiedMemory();
    const std::optional<HostMemoryView> inputView = HostMemoryView::import(context_, data);
    const std::optional<HostMemoryView> outputView =
        HostMemoryView::import(context_, std::as_bytes(std::span(result.dequantized)));
    const std::optional<HostMemoryView> packedView =
        HostMemoryView::import(context_, std::as_bytes(std::span(result.packed)));
    const HostMemoryView* input = inputView ? &*inputView : nullptr;
    lastInPlace_ = inputView && outputView && packedView;
    // Where a chunk's dequantized values and packed rows go in the result: a shader binding when
    // direct, a transfer's destination otherwise; nothing where they pass through readback
    // buffers.
    const auto resultRange = [&](const std::optional<HostMemoryView>& view, uint64_t first,
                                 uint64_t count) -> std::optional<BufferRange> {
        if (!view)
            return std::nullopt;
        return hostRange(*view, direct, first, count);
    };
    const auto dequantizedInPlace = [&](uint64_t chunk) {
        return resultRange(outputView, chunks.firstRow(chunk) * shape.rowLength * 4,
                           chunks.shape(chunk).elements() * 4);
    };
    const auto packedInPlace = [&](uint64_t chunk) {
        return resultRange(packedView, headerBytes + chunks.firstRow(chunk) * rowPackedBytes,
                           chunks.shape(chunk).rows * rowPackedBytes);
    };
    if (kernel->needsTensorRange())
        kernel->prepare(tensorRange(data, dtype));
    if (const std::optional<TensorScan> scan = kernel->scan(shape.rowLength))
        runScan(*kernel, *scan, data, dtype, chunks, input);
    const std::vector<std::byte> header = kernel->header();
    if (header.size() != headerBytes)
        throw Error("format " + format.id() + ": kernel header size disagrees with the format");
    std::copy(header.begin(), header.end(), result.packed.begin());

    ErrorAccumulator total;
    lastKernelSeconds_ = 0;
    const bool fusedErrors = kernel->sumsErrors();
    const bool lanes = context_->laneKernels() && kernel->hasLaneVariant(shape.rowLength);
    lastUsedLaneKernel_ = lanes;
    const uint64_t errorSlotsPerWorkgroup =
        lanes ? kLaneGroupsPerWorkgroup : kFormatInvocationsPerWorkgroup;
    const auto workgroups = [&](MatrixShape part) {
        return lanes ? kernel->laneWorkgroups(part) : kernel->workgroups(part);
    };
    const ComputeKernel& quantizer = kernels_->kernel(
        lanes ? kernel->shader() + "_lanes" : kernel->shader(), fusedErrors ? 5 : 4,
        sizeof(FormatPushConstants), kernel->specialization(shape.rowLength),
        lanes ? 0 : kernel->inputOctetsPerWorkgroup(shape.rowLength));
    const ComputeKernel& errorSums = kernels_->kernel("error_sums", 5, 4);
    stream_->run(
        chunks.count(),
        [&](uint64_t chunk, size_t s, VkCommandBuffer command) {
            Slot& slot = slotBuffers(s);
            const MatrixShape part = chunks.shape(chunk);
            const uint64_t n = part.elements();
            const uint64_t packedBytes = part.rows * rowPackedBytes;
            const uint64_t groups = divideUp(n, kErrorSumsPerWorkgroup);
            const uint64_t partialBytes =
                fusedErrors ? workgroups(part) * errorSlotsPerWorkgroup * kErrorPartialFloats * 4
                            : groups * kErrorSumsFields * 4;
            const std::optional<BufferRange> inPlace = dequantizedInPlace(chunk);
            const std::optional<BufferRange> packedHere = packedInPlace(chunk);
            if (!inPlace)
                ensure(slot.readValues, context_, n * 4, GpuBuffer::Kind::Readback);
            if (!packedHere)
                ensure(slot.readPacked, context_, packedBytes, GpuBuffer::Kind::Readback);
            ensure(slot.readSmall, context_, partialBytes, GpuBuffer::Kind::Readback);
            if (!direct) {
                ensure(slot.second, context_, n * 4, GpuBuffer::Kind::DeviceLocal);
                ensure(slot.packed, context_, packedBytes, GpuBuffer::Kind::DeviceLocal);
                ensure(slot.small, context_, partialBytes, GpuBuffer::Kind::DeviceLocal);
            }
            const BufferRange loaded =
                recordInput(command, slot, 0, data, dtype, chunks.firstRow(chunk) * shape.rowLength,
                            n, direct, input);
            const BufferRange values{loaded.buffer, loaded.offset, n * 4};
            const BufferRange tensorData =
                uploadChunkData(slot, kernel->chunkData(chunks.firstRow(chunk), part), values);
            // Where the kernel writes, and where those bytes end up on the host side.
            const BufferRange packedHost = packedHere ? *packedHere : whole(slot.readPacked);
            const BufferRange dequantizedHost = inPlace ? *inPlace : whole(slot.readValues);
            const BufferRange packedOut = direct ? packedHost : whole(slot.packed);
            const BufferRange dequantizedOut = direct ? dequantizedHost : whole(slot.second);
            const GpuBuffer& partialsOut = direct ? slot.readSmall : slot.small;
            if (fusedErrors) // invocations past the chunk's end write no slot
                vkCmdFillBuffer(command, partialsOut.get(), 0, partialBytes, 0);
            CommandSlot::barrier(command);
            stream_->slot(s).markStart();
            const FormatPushConstants pushed = kernel->pushConstants(part);
            const BufferRange quantBuffers[] = {values,
                                                packedOut,
                                                dequantizedOut,
                                                tensorData,
                                                {partialsOut.get(), 0, VK_WHOLE_SIZE}};
            quantizer.record(command, std::span(quantBuffers).first(fusedErrors ? 5 : 4),
                             bytesOf(pushed), workgroups(part));
            if (!fusedErrors) {
                CommandSlot::barrier(command);
                const uint32_t count = uint32_t(n);
                const BufferRange sumBuffers[] = {values,
                                                  dequantizedOut,
                                                  {partialsOut.get(), 0, VK_WHOLE_SIZE},
                                                  values,
                                                  dequantizedOut};
                errorSums.record(command, sumBuffers, bytesOf(count), groups);
            }
            stream_->slot(s).markEnd();
            CommandSlot::barrier(command);
            if (!direct) {
                copy(command, dequantizedOut, dequantizedHost, n * 4);
                copy(command, packedOut, packedHost, packedBytes);
                copy(command, whole(slot.small), whole(slot.readSmall), partialBytes);
            }
            CommandSlot::barrierToHost(command);
        },
        [&](uint64_t chunk, size_t s) {
            Slot& slot = slotBuffers(s);
            const uint64_t rows = chunks.shape(chunk).rows;
            const uint64_t firstRow = chunks.firstRow(chunk);
            const uint64_t n = rows * shape.rowLength;
            lastKernelSeconds_ += stream_->slot(s).kernelSeconds();
            slot.readSmall.invalidate();
            float* dequantized = result.dequantized.data() + firstRow * shape.rowLength;
            if (!dequantizedInPlace(chunk)) {
                slot.readValues.invalidate();
                std::memcpy(dequantized, slot.readValues.mapped().data(), n * 4);
            }
            const auto* partials = reinterpret_cast<const float*>(slot.readSmall.mapped().data());
            const size_t stride = fusedErrors ? kErrorPartialFloats : kErrorSumsFields;
            const uint64_t partialCount =
                fusedErrors ? workgroups(chunks.shape(chunk)) * errorSlotsPerWorkgroup
                            : divideUp(n, kErrorSumsPerWorkgroup);
            const std::span<const float> chunkPartials(partials, size_t(partialCount * stride));
            // Every dequantized value is in the partial sums (sum y^2 among them, which no finite
            // terms can cancel), so finite sums mean finite values; the values themselves are
            // only scanned when a sum is not finite, which large finite values can also cause.
            if (!std::all_of(chunkPartials.begin(), chunkPartials.end(),
                             [](float v) { return std::isfinite(v); }) &&
                !std::all_of(dequantized, dequantized + n,
                             [](float v) { return std::isfinite(v); }))
                refuseLikeReference(format, data.first((firstRow + rows) * shape.rowLength * size),
                                    dtype, {firstRow + rows, shape.rowLength});
            if (!packedInPlace(chunk)) {
                slot.readPacked.invalidate();
                std::memcpy(result.packed.data() + headerBytes + firstRow * rowPackedBytes,
                            slot.readPacked.mapped().data(), rows * rowPackedBytes);
            }
            total.merge(ErrorAccumulator::fromSums(sumPartials(chunkPartials, n, stride)));
        },
        progress);
    result.metrics = total.finish();
    return result;
}

BufferRange VulkanBackend::uploadChunkData(Slot& slot, std::span<const std::byte> bytes,
                                           const BufferRange& fallback) {
    if (bytes.empty())
        return fallback;
    ensure(slot.tensorData, context_, bytes.size(), GpuBuffer::Kind::Upload);
    std::memcpy(slot.tensorData.mapped().data(), bytes.data(), bytes.size());
    slot.tensorData.flush();
    return {slot.tensorData.get(), 0, VK_WHOLE_SIZE};
}

void VulkanBackend::runScan(FormatKernel& kernel, const TensorScan& scan,
                            std::span<const std::byte> data, DType dtype, const RowChunks& chunks,
                            const HostMemoryView* dataView) {
    const MatrixShape shape = chunks.tensor;
    const uint64_t outputRowBytes = scan.outputBytesPerRow;
    std::vector<std::byte> outputs(shape.rows * outputRowBytes);
    GpuBuffer state(context_, std::max<uint64_t>(scan.initialState.size(), 4),
                    GpuBuffer::Kind::Upload);
    std::copy(scan.initialState.begin(), scan.initialState.end(), state.mapped().begin());
    state.flush();
    // A shader that sums errors declares binding 4 in its scan pass too (unused there: the state
    // buffer fills it).
    const uint32_t bindings = kernel.sumsErrors() ? 5 : 4;
    const ComputeKernel& scanner = kernels_->kernel(
        kernel.shader(), bindings, sizeof(FormatPushConstants), scan.specialization,
        scan.windowedInput ? kEveryWorkgroupReadsAllInput : 0);
    const bool direct = context_->unifiedMemory();
    stream_->run(
        chunks.count(),
        [&](uint64_t chunk, size_t s, VkCommandBuffer command) {
            Slot& slot = slotBuffers(s);
            const MatrixShape part = chunks.shape(chunk);
            const uint64_t outputBytes = std::max<uint64_t>(part.rows * outputRowBytes, 4);
            ensure(slot.readPacked, context_, outputBytes, GpuBuffer::Kind::Readback);
            if (!direct)
                ensure(slot.packed, context_, outputBytes, GpuBuffer::Kind::DeviceLocal);
            const BufferRange input =
                recordInput(command, slot, 0, data, dtype, chunks.firstRow(chunk) * shape.rowLength,
                            part.elements(), direct, dataView);
            const GpuBuffer& output = direct ? slot.readPacked : slot.packed;
            // Also orders this chunk's use of the state after the previous chunk's (the barrier
            // covers earlier submissions to the queue).
            CommandSlot::barrier(command);
            const uint64_t n = part.elements();
            const uint64_t piece = scan.valuesPerDispatch ? scan.valuesPerDispatch : n;
            for (uint64_t first = 0; first < n; first += piece) {
                const uint64_t count = std::min(piece, n - first);
                const MatrixShape seen = scan.valuesPerDispatch ? MatrixShape{1, count} : part;
                const FormatPushConstants pushed = kernel.pushConstants(seen);
                const BufferRange buffers[] = {{input.buffer, input.offset + first * 4, count * 4},
                                               {output.get(), 0, VK_WHOLE_SIZE},
                                               input,
                                               {state.get(), 0, VK_WHOLE_SIZE},
                                               {state.get(), 0, VK_WHOLE_SIZE}};
                scanner.record(command, std::span(buffers).first(bindings), bytesOf(pushed),
                               scan.workgroups ? scan.workgroups : kernel.workgroups(seen));
                CommandSlot::barrier(command);
            }
            if (!direct)
                copy(command, whole(slot.packed), whole(slot.readPacked),
                     part.rows * outputRowBytes);
            CommandSlot::barrierToHost(command);
        },
        [&](uint64_t chunk, size_t s) {
            Slot& slot = slotBuffers(s);
            const uint64_t bytes = chunks.shape(chunk).rows * outputRowBytes;
            slot.readPacked.invalidate();
            if (bytes > 0)
                std::memcpy(outputs.data() + chunks.firstRow(chunk) * outputRowBytes,
                            slot.readPacked.mapped().data(), bytes);
        },
        {});
    state.invalidate();
    kernel.finishScan(outputs, state.mapped().first(scan.initialState.size()));
}

} // namespace bitlens

// SPDX-License-Identifier: MIT
#include "core/backend/CpuBackend.h"

#include "core/util/Error.h"
#include "core/util/ParallelFor.h"

#include <algorithm>
#include <thread>

namespace bitlens {
namespace {

// Rows [rowBegin, rowBegin + rowCount) and their packed bytes.
struct Chunk {
    uint64_t rowBegin = 0;
    uint64_t rowCount = 0;
    uint64_t byteBegin = 0;
    uint64_t byteCount = 0;
};

std::vector<Chunk> planChunks(const Format& format, MatrixShape shape) {
    if (shape.elements() == 0)
        return {};
    if (!rowSeparable(format, shape))
        return {{0, shape.rows, 0, format.packedBytes(shape)}};
    const uint64_t rowBytes = format.packedBytes({1, shape.rowLength});
    const uint64_t rowsPerChunk = std::max<uint64_t>(1, kCpuChunkElements / shape.rowLength);
    std::vector<Chunk> chunks;
    for (uint64_t row = 0; row < shape.rows; row += rowsPerChunk) {
        const uint64_t count = std::min(rowsPerChunk, shape.rows - row);
        chunks.push_back({row, count, row * rowBytes, count * rowBytes});
    }
    return chunks;
}

// Runs work(i) for every chunk; reports values done after each chunk through `progress`.
void runChunks(const std::vector<Chunk>& chunks, uint64_t rowLength, unsigned threads,
               const ProgressFn& progress, const std::function<void(size_t)>& work) {
    const uint64_t total =
        chunks.empty() ? 0 : (chunks.back().rowBegin + chunks.back().rowCount) * rowLength;
    if (progress && !progress(0, total))
        throw Cancelled();
    uint64_t done = 0; // guarded: afterEach calls are serialized
    parallelFor(chunks.size(), threads, work, [&](size_t index) {
        done += chunks[index].rowCount * rowLength;
        return !progress || progress(done, total);
    });
}

void checkContract(const Format& format, MatrixShape shape, size_t values) {
    if (values != shape.elements())
        throw Error("internal: " + std::to_string(values) + " values given for a " +
                    std::to_string(shape.rows) + " x " + std::to_string(shape.rowLength) +
                    " tensor");
    if (const std::string reason = format.unsupportedReason(shape.rowLength); !reason.empty())
        throw Error("format " + format.id() + " cannot quantize this tensor: " + reason);
}

} // namespace

ErrorMetrics referenceMetrics(std::span<const float> values, std::span<const float> dequantized,
                              const Format& format, MatrixShape shape, unsigned threads) {
    checkContract(format, shape, values.size());
    checkContract(format, shape, dequantized.size());
    const std::vector<Chunk> chunks = planChunks(format, shape);
    std::vector<ErrorAccumulator> errors(chunks.size());
    runChunks(chunks, shape.rowLength, std::max(1u, threads), {}, [&](size_t index) {
        const uint64_t first = chunks[index].rowBegin * shape.rowLength;
        const uint64_t count = chunks[index].rowCount * shape.rowLength;
        errors[index].add(values.subspan(first, count), dequantized.subspan(first, count));
    });
    ErrorAccumulator total;
    for (const ErrorAccumulator& error : errors)
        total.merge(error);
    return total.finish();
}

bool rowSeparable(const Format& format, MatrixShape shape) {
    if (shape.rowLength == 0 || format.blockLength(shape.rowLength) == 0)
        return false;
    return format.packedBytes(shape) == shape.rows * format.packedBytes({1, shape.rowLength});
}

CpuBackend::CpuBackend(unsigned threads)
    : threads_(threads ? threads : std::max(1u, std::thread::hardware_concurrency())) {}

QuantizedTensor CpuBackend::quantize(std::span<const float> values, MatrixShape shape,
                                     const Format& format, const ProgressFn& progress) {
    checkContract(format, shape, values.size());
    QuantizedTensor result;
    result.formatId = format.id();
    result.shape = shape;
    result.packed.resize(format.packedBytes(shape));
    result.dequantized.resize(shape.elements());

    const std::vector<Chunk> chunks = planChunks(format, shape);
    std::vector<ErrorAccumulator> errors(chunks.size());
    const uint64_t rowLength = shape.rowLength;
    runChunks(chunks, rowLength, threads_, progress, [&](size_t index) {
        const Chunk& chunk = chunks[index];
        const MatrixShape part{chunk.rowCount, rowLength};
        const auto source = values.subspan(chunk.rowBegin * rowLength, part.elements());
        const auto packed = std::span(result.packed).subspan(chunk.byteBegin, chunk.byteCount);
        const auto decoded =
            std::span(result.dequantized).subspan(chunk.rowBegin * rowLength, part.elements());
        format.quantize(source, part, packed);
        format.dequantize(packed, part, decoded);
        errors[index].add(source, decoded);
    });

    ErrorAccumulator total;
    for (const ErrorAccumulator& error : errors)
        total.merge(error);
    result.metrics = total.finish();
    return result;
}

void CpuBackend::dequantize(std::span<const std::byte> packed, MatrixShape shape,
                            const Format& format, std::span<float> out) const {
    checkContract(format, shape, out.size());
    if (packed.size() != format.packedBytes(shape))
        throw Error("internal: " + std::to_string(packed.size()) + " packed bytes given, format " +
                    format.id() + " needs " + std::to_string(format.packedBytes(shape)));
    const std::vector<Chunk> chunks = planChunks(format, shape);
    const uint64_t rowLength = shape.rowLength;
    runChunks(chunks, rowLength, threads_, nullptr, [&](size_t index) {
        const Chunk& chunk = chunks[index];
        const MatrixShape part{chunk.rowCount, rowLength};
        format.dequantize(packed.subspan(chunk.byteBegin, chunk.byteCount), part,
                          out.subspan(chunk.rowBegin * rowLength, part.elements()));
    });
}

} // namespace bitlens

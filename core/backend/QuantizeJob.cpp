// SPDX-License-Identifier: MIT
#include "core/backend/QuantizeJob.h"

#include "core/quant/FiniteCheck.h"
#include "core/quant/FormatRegistry.h"
#include "core/util/Error.h"
#include "core/util/ParallelFor.h"

#include <limits>
#include <mutex>

namespace bitlens {
namespace {

ErrorMetrics exactMetrics(uint64_t count) {
    ErrorMetrics metrics;
    metrics.count = count;
    metrics.sqnrDb = std::numeric_limits<double>::infinity();
    metrics.cosine = 1;
    return metrics;
}

// "3 NaN/Inf values (first at row 2, column 17)".
std::string describeNonFinite(const NonFiniteCount& found, uint64_t rowLength) {
    return std::to_string(found.count) + (found.count == 1 ? " NaN/Inf value" : " NaN/Inf values") +
           " (first at row " + std::to_string(found.firstIndex / rowLength) + ", column " +
           std::to_string(found.firstIndex % rowLength) + ")";
}

void refuse(TensorResult& result, const std::string& reason) {
    result.outcome = TensorOutcome::Refused;
    result.note = "refused: " + reason;
    result.metrics = ErrorMetrics{};
}

// Reads, checks and quantizes one tensor of the plan; refusals are recorded in `result`.
void quantizeTensor(const Checkpoint& checkpoint, QuantBackend& backend, bool keepData,
                    TensorResult& result, const ProgressFn& progress) {
    const MatrixShape shape = result.plan.shape;
    try {
        std::vector<float> values(shape.elements());
        checkpoint.readMatrixRows(result.plan.tensorIndex, 0, shape.rows, values.data());
        if (const NonFiniteCount found = countNonFinite(values); found.count > 0) {
            refuse(result, describeNonFinite(found, shape.rowLength));
            return;
        }
        const auto format = makeFormat(result.plan.decision.target);
        QuantizedTensor quantized = backend.quantize(values, shape, *format, progress);
        result.outcome = TensorOutcome::Quantized;
        result.bytesAfter = quantized.packed.size();
        result.metrics = quantized.metrics;
        if (keepData)
            result.data = std::move(quantized);
    } catch (const Cancelled&) {
        throw;
    } catch (const Error& error) {
        refuse(result, error.what());
    } catch (const std::bad_alloc&) {
        refuse(result, "not enough memory for " + std::to_string(shape.elements()) + " values");
    }
}

} // namespace

std::string_view tensorOutcomeName(TensorOutcome outcome) {
    switch (outcome) {
    case TensorOutcome::Quantized:
        return "quantized";
    case TensorOutcome::Kept:
        return "kept";
    case TensorOutcome::Refused:
        return "refused";
    }
    return "";
}

const std::string& TensorResult::formatId() const {
    static const std::string keep(kKeep);
    return outcome == TensorOutcome::Quantized ? plan.decision.target : keep;
}

double TensorResult::bitsPerWeight() const {
    const uint64_t count = plan.shape.elements();
    return count ? double(bytesAfter) * 8.0 / double(count) : 0.0;
}

size_t QuantizeJobResult::refusedCount() const {
    size_t count = 0;
    for (const TensorResult& tensor : tensors)
        count += tensor.outcome == TensorOutcome::Refused;
    return count;
}

QuantizeJobResult runQuantizeJob(const Checkpoint& checkpoint, const SizePlan& plan,
                                 QuantBackend& backend, const QuantizeJobOptions& options,
                                 const ProgressFn& progress) {
    QuantizeJobResult job;
    std::vector<size_t> large, small;
    uint64_t total = 0;
    for (size_t i = 0; i < plan.tensors.size(); ++i) {
        const TensorPlan& entry = plan.tensors[i];
        TensorResult result;
        result.plan = entry;
        result.name = checkpoint.tensors().at(entry.tensorIndex).name;
        result.note = entry.decision.fallback;
        result.bytesAfter = entry.bytesBefore;
        result.metrics = exactMetrics(entry.shape.elements());
        job.tensors.push_back(std::move(result));
        if (entry.decision.keep())
            continue;
        total += entry.shape.elements();
        (entry.shape.elements() < kJobSmallTensorElements ? small : large).push_back(i);
    }

    if (progress && !progress(0, total))
        throw Cancelled();
    uint64_t done = 0;
    for (size_t index : large) {
        TensorResult& result = job.tensors[index];
        const ProgressFn inner = [&](uint64_t tensorDone, uint64_t) {
            return !progress || progress(done + tensorDone, total);
        };
        quantizeTensor(checkpoint, backend, options.keepData, result, inner);
        done += result.plan.shape.elements();
    }
    parallelFor(
        small.size(), options.tensorWorkers,
        [&](size_t k) {
            quantizeTensor(checkpoint, backend, options.keepData, job.tensors[small[k]], nullptr);
        },
        [&](size_t k) {
            done += job.tensors[small[k]].plan.shape.elements();
            return !progress || progress(done, total);
        });

    for (const TensorResult& result : job.tensors)
        job.totals.add(checkpoint.tensors()[result.plan.tensorIndex].elementCount(),
                       result.plan.bytesBefore, result.bytesAfter,
                       result.outcome == TensorOutcome::Quantized);
    return job;
}

} // namespace bitlens

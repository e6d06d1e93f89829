// SPDX-License-Identifier: MIT
#pragma once

#include "core/backend/QuantBackend.h"
#include "core/io/Checkpoint.h"
#include "core/recipe/SizePlan.h"

#include <optional>
#include <string>
#include <vector>

namespace bitlens {

enum class TensorOutcome : uint8_t {
    Quantized,
    Kept,    // the recipe keeps it (possibly after a fallback): error 0, cosine 1, SQNR +inf
    Refused, // could not be quantized (NaN/Inf, unreadable dtype): left as stored, no metrics
};

std::string_view tensorOutcomeName(TensorOutcome outcome); // "quantized", "kept", "refused"

struct TensorResult {
    TensorPlan plan;
    std::string name;
    TensorOutcome outcome = TensorOutcome::Kept;
    std::string note;        // the fallback note or the refusal reason; empty otherwise
    uint64_t bytesAfter = 0; // packed bytes when quantized, stored bytes otherwise
    ErrorMetrics metrics;
    std::optional<QuantizedTensor> data; // only with QuantizeJobOptions::keepData

    // The format applied ("keep" unless quantized).
    const std::string& formatId() const;
    double bitsPerWeight() const;
};

struct QuantizeJobResult {
    std::vector<TensorResult> tensors; // in plan order
    SizeTotals totals;                 // refused tensors count as kept
    size_t refusedCount() const;
};

struct QuantizeJobOptions {
    // Tensors of fewer than kJobSmallTensorElements values run this many at a time (the
    // backend's quantize must then be safe to call concurrently, as CpuBackend's is); larger
    // tensors run one at a time and use the backend's own parallelism.
    unsigned tensorWorkers = 1;
    // Keep the packed and dequantized data of every quantized tensor (memory: about 5 bytes
    // per value); off, only the metrics stay.
    bool keepData = false;
};

inline constexpr uint64_t kJobSmallTensorElements = uint64_t(1) << 16;

// Quantizes the tensors of `plan` (made from this checkpoint) with `backend`. Each tensor is read
// in its quantization view, checked for NaN/Inf and quantized; a tensor that cannot be is
// refused with a reason and the job goes on. Progress counts values of the tensors to quantize.
// Throws Cancelled when progress returns false; nothing is returned then.
QuantizeJobResult runQuantizeJob(const Checkpoint& checkpoint, const SizePlan& plan,
                                 QuantBackend& backend, const QuantizeJobOptions& options,
                                 const ProgressFn& progress);

} // namespace bitlens

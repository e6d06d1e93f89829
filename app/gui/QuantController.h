// SPDX-License-Identifier: MIT
#pragma once

#include "BackendKind.h"
#include "core/recipe/SizePlan.h"
#include "gui/QuantResult.h"
#include "gui/ResultCache.h"

#include <QList>
#include <QObject>
#include <QStringList>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace bitlens::app {

class QuantWorker;

// What the studio asks of quantization, answered from the result cache when it can and by the
// worker thread otherwise: the selected tensor for the views, a comparison of formats for it,
// and "Quantize all" over a recipe's plan. Every result the worker makes is cached and reported
// through tensorQuantized, whichever request it was for. GUI thread only.
class QuantController : public QObject {
    Q_OBJECT
public:
    explicit QuantController(BackendKind kind = BackendKind::Auto, QObject* parent = nullptr);
    ~QuantController() override;

    ResultCache& cache() { return cache_; }
    QuantWorker& worker() { return *worker_; }

    // The views' tensor in this format: selectionReady or selectionFailed follows, from the
    // cache on the next event-loop pass without recomputing, else from the worker. A newer
    // select() or clearSelection() replaces an older selection, which is then never delivered.
    void select(const std::shared_ptr<const Checkpoint>& checkpoint, int tensorIndex,
                const std::string& formatId);
    void clearSelection();

    // The tensor in each of these formats: comparisonReady follows with the results in this
    // order and a message for each format that failed. Replaces an older comparison.
    void compare(const std::shared_ptr<const Checkpoint>& checkpoint, int tensorIndex,
                 const std::vector<std::string>& formatIds);

    // Quantizes every tensor the plan quantizes that has no metrics yet, one at a time on the
    // worker; each is cached and reported as it finishes, then quantizeAllFinished. Returns
    // false (and does nothing) while a run is going.
    bool quantizeAll(const std::shared_ptr<const Checkpoint>& checkpoint, const SizePlan& plan);
    // Stops the run within the running tensor's current chunk; that tensor is dropped whole.
    // Tensors finished before stay cached. quantizeAllFinished(…, cancelled = true) follows.
    void cancelQuantizeAll();
    bool isQuantizingAll() const { return batch_.has_value(); }

signals:
    void backendReady(const QString& name, const QString& notice);
    void selectionReady(const bitlens::app::SharedQuantResult& result);
    void selectionFailed(int tensorIndex, const QString& formatId, const QString& message);
    // Values done of the selected tensor while the worker quantizes it.
    void selectionProgress(quint64 done, quint64 total);
    void comparisonReady(int tensorIndex, const QList<bitlens::app::SharedQuantResult>& results,
                         const QStringList& failures);
    // A tensor's metrics in a format are known (computed now, or by Quantize all from the
    // cache's metrics).
    void tensorQuantized(int tensorIndex, const QString& formatId,
                         const bitlens::ErrorMetrics& metrics);
    // Values of the run's tensors done, of the total to compute.
    void quantizeAllProgress(quint64 done, quint64 total);
    // `quantized` of the `planned` tensors have metrics; `failed` could not be quantized.
    void quantizeAllFinished(int quantized, int failed, int planned, bool cancelled);

private:
    struct Batch {
        quint64 ticket = 0;
        int planned = 0;
        int quantized = 0;
        int failed = 0;
        quint64 totalValues = 0;
        quint64 doneValues = 0;
    };
    struct Comparison {
        quint64 ticket = 0;
        int tensorIndex = 0;
        std::vector<std::string> formatIds;
        std::map<std::string, SharedQuantResult> results;
        QStringList failures;
    };

    void onResult(QuantLane lane, quint64 ticket, const SharedQuantResult& result);
    void onFailure(QuantLane lane, quint64 ticket, int tensorIndex, const QString& formatId,
                   const QString& message);
    void onProgress(QuantLane lane, quint64 ticket, quint64 done, quint64 total);
    void onLaneFinished(QuantLane lane, quint64 ticket, bool cancelled);

    ResultCache cache_;
    QuantWorker* worker_;
    quint64 selectionTicket_ = 0;
    std::optional<Comparison> comparison_;
    std::optional<Batch> batch_;
};

} // namespace bitlens::app

// SPDX-License-Identifier: MIT
#include "gui/QuantController.h"

#include "gui/QuantWorker.h"

#include <QTimer>

namespace bitlens::app {

QuantController::QuantController(BackendKind kind, QObject* parent)
    : QObject(parent), worker_(new QuantWorker(kind, this)) {
    connect(worker_, &QuantWorker::backendReady, this, &QuantController::backendReady);
    connect(worker_, &QuantWorker::resultReady, this, &QuantController::onResult);
    connect(worker_, &QuantWorker::requestFailed, this, &QuantController::onFailure);
    connect(worker_, &QuantWorker::progress, this, &QuantController::onProgress);
    connect(worker_, &QuantWorker::laneFinished, this, &QuantController::onLaneFinished);
}

// The worker (a child) stops before the cache goes.
QuantController::~QuantController() {
    delete worker_;
}

void QuantController::select(const std::shared_ptr<const Checkpoint>& checkpoint, int tensorIndex,
                             const std::string& formatId) {
    if (SharedQuantResult cached = cache_.find(checkpoint.get(), tensorIndex, formatId)) {
        const quint64 ticket = worker_->submit(QuantLane::Selection, {});
        selectionTicket_ = ticket;
        QTimer::singleShot(0, this, [this, ticket, cached = std::move(cached)] {
            if (ticket == selectionTicket_)
                emit selectionReady(cached);
        });
        return;
    }
    selectionTicket_ =
        worker_->submit(QuantLane::Selection, {QuantRequest{checkpoint, tensorIndex, formatId}});
}

void QuantController::clearSelection() {
    selectionTicket_ = worker_->submit(QuantLane::Selection, {});
}

void QuantController::compare(const std::shared_ptr<const Checkpoint>& checkpoint, int tensorIndex,
                              const std::vector<std::string>& formatIds) {
    Comparison comparison;
    comparison.tensorIndex = tensorIndex;
    comparison.formatIds = formatIds;
    std::vector<QuantRequest> requests;
    for (const std::string& formatId : formatIds) {
        if (SharedQuantResult cached = cache_.find(checkpoint.get(), tensorIndex, formatId))
            comparison.results[formatId] = std::move(cached);
        else
            requests.push_back({checkpoint, tensorIndex, formatId});
    }
    comparison.ticket = worker_->submit(QuantLane::Compare, std::move(requests));
    comparison_ = std::move(comparison);
}

bool QuantController::quantizeAll(const std::shared_ptr<const Checkpoint>& checkpoint,
                                  const SizePlan& plan) {
    if (batch_)
        return false;
    Batch batch;
    std::vector<QuantRequest> requests;
    for (const TensorPlan& tensor : plan.tensors) {
        if (tensor.decision.keep())
            continue;
        ++batch.planned;
        const int index = int(tensor.tensorIndex);
        const std::string& formatId = tensor.decision.target;
        if (const auto known = cache_.metrics(checkpoint.get(), index, formatId)) {
            ++batch.quantized;
            emit tensorQuantized(index, QString::fromStdString(formatId), *known);
            continue;
        }
        batch.totalValues += tensor.shape.elements();
        requests.push_back({checkpoint, index, formatId});
    }
    batch.ticket = worker_->submit(QuantLane::Batch, std::move(requests));
    batch_ = batch;
    emit quantizeAllProgress(0, batch.totalValues);
    return true;
}

void QuantController::cancelQuantizeAll() {
    if (batch_)
        worker_->cancel(QuantLane::Batch);
}

void QuantController::onResult(QuantLane lane, quint64 ticket, const SharedQuantResult& result) {
    cache_.insert(result);
    emit tensorQuantized(result->tensorIndex, QString::fromStdString(result->formatId()),
                         result->quantized.metrics);
    if (lane == QuantLane::Selection && ticket == selectionTicket_) {
        emit selectionReady(result);
    } else if (lane == QuantLane::Compare && comparison_ && ticket == comparison_->ticket) {
        comparison_->results[result->formatId()] = result;
    } else if (lane == QuantLane::Batch && batch_ && ticket == batch_->ticket) {
        ++batch_->quantized;
        batch_->doneValues += result->quantized.dequantized.size();
        emit quantizeAllProgress(batch_->doneValues, batch_->totalValues);
    }
}

void QuantController::onFailure(QuantLane lane, quint64 ticket, int tensorIndex,
                                const QString& formatId, const QString& message) {
    if (lane == QuantLane::Selection && ticket == selectionTicket_)
        emit selectionFailed(tensorIndex, formatId, message);
    else if (lane == QuantLane::Compare && comparison_ && ticket == comparison_->ticket)
        comparison_->failures.append(formatId + QStringLiteral(": ") + message);
    else if (lane == QuantLane::Batch && batch_ && ticket == batch_->ticket)
        ++batch_->failed;
}

void QuantController::onProgress(QuantLane lane, quint64 ticket, quint64 done, quint64 total) {
    if (lane == QuantLane::Selection && ticket == selectionTicket_)
        emit selectionProgress(done, total);
    else if (lane == QuantLane::Batch && batch_ && ticket == batch_->ticket)
        emit quantizeAllProgress(batch_->doneValues + done, batch_->totalValues);
}

void QuantController::onLaneFinished(QuantLane lane, quint64 ticket, bool cancelled) {
    if (lane == QuantLane::Compare && comparison_ && ticket == comparison_->ticket) {
        QList<SharedQuantResult> results;
        for (const std::string& formatId : comparison_->formatIds)
            if (const auto found = comparison_->results.find(formatId);
                found != comparison_->results.end())
                results.append(found->second);
        const Comparison finished = std::move(*comparison_);
        comparison_.reset();
        emit comparisonReady(finished.tensorIndex, results, finished.failures);
    } else if (lane == QuantLane::Batch && batch_ && ticket == batch_->ticket) {
        const Batch finished = *batch_;
        batch_.reset();
        emit quantizeAllFinished(finished.quantized, finished.failed, finished.planned, cancelled);
    }
}

} // namespace bitlens::app

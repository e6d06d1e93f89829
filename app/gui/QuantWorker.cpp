// SPDX-License-Identifier: MIT
#include "gui/QuantWorker.h"

#include "NoVulkanDevice.h"
#include "VulkanBackend.h"
#include "core/backend/CpuBackend.h"
#include "core/quant/FiniteCheck.h"
#include "core/quant/FormatRegistry.h"

#include <QThread>
#include <algorithm>
#include <chrono>

namespace bitlens::app {

// The backends of the worker thread; made on that thread at its first request.
class QuantWorker::Backends {
public:
    explicit Backends(BackendKind kind) {
        if (kind == BackendKind::Cpu) {
            notice_ = QObject::tr("Quantizing with the CPU reference");
            return;
        }
        try {
            vulkan_ = std::make_unique<VulkanBackend>();
        } catch (const Error& error) {
            notice_ = QObject::tr("No Vulkan device: quantizing with the CPU reference (%1)")
                          .arg(QString::fromUtf8(error.what()));
        }
    }

    QString name() const { return QString::fromStdString(vulkan_ ? vulkan_->name() : cpu_.name()); }
    const QString& notice() const { return notice_; }

    // The Vulkan backend when it has a kernel for the format, else the CPU reference.
    QuantBackend& backendFor(const Format& format) {
        if (vulkan_ && vulkan_->supports(format))
            return *vulkan_;
        return cpu_;
    }

private:
    CpuBackend cpu_;
    std::unique_ptr<VulkanBackend> vulkan_;
    QString notice_;
};

namespace {

// Reads the tensor in its quantization view, refusing what cannot be quantized with a message.
std::vector<float> readQuantizable(const Checkpoint& checkpoint, int tensorIndex,
                                   const Format& format) {
    const TensorInfo& tensor = checkpoint.tensors().at(size_t(tensorIndex));
    if (!dtypeConvertibleToFloat(tensor.dtype))
        throw Error(tensor.name + " is stored as " + std::string(dtypeName(tensor.dtype)) +
                    ", which has no float view to quantize");
    const MatrixShape shape = quantizationShape(tensor);
    if (const std::string reason = format.unsupportedReason(shape.rowLength); !reason.empty())
        throw Error(format.id() + " does not apply to " + tensor.name + ": " + reason);
    std::vector<float> values(shape.elements());
    checkpoint.readMatrixRows(size_t(tensorIndex), 0, shape.rows, values.data());
    requireFinite(values, tensor.name);
    return values;
}

} // namespace

QuantWorker::QuantWorker(BackendKind kind, QObject* parent)
    : QObject(parent), kind_(kind), thread_(QThread::create([this] { run(); })) {
    qRegisterMetaType<SharedQuantResult>();
    qRegisterMetaType<QuantLane>();
    qRegisterMetaType<ErrorMetrics>();
    thread_->setObjectName(QStringLiteral("QuantWorker"));
    thread_->start();
}

QuantWorker::~QuantWorker() {
    {
        const std::lock_guard lock(mutex_);
        stopping_ = true;
        cancelRunning_ = true;
    }
    wake_.notify_all();
    thread_->wait();
    delete thread_;
}

quint64 QuantWorker::submit(QuantLane which, std::vector<QuantRequest> requests) {
    quint64 ticket = 0;
    {
        const std::lock_guard lock(mutex_);
        Lane& target = lane(which);
        target.ticket = ++nextTicket_;
        target.open = true;
        target.cancelled = false;
        target.pending.assign(std::make_move_iterator(requests.begin()),
                              std::make_move_iterator(requests.end()));
        if (running_ && running_->lane == which) {
            const auto kept = std::find_if(
                target.pending.begin(), target.pending.end(), [this](const QuantRequest& request) {
                    return request.sameTensorAndFormat(running_->request);
                });
            if (kept == target.pending.end()) {
                cancelRunning_ = true;
            } else {
                running_->ticket = target.ticket;
                target.pending.erase(kept);
            }
        }
        ticket = target.ticket;
    }
    wake_.notify_all();
    return ticket;
}

void QuantWorker::cancel(QuantLane which) {
    {
        const std::lock_guard lock(mutex_);
        Lane& target = lane(which);
        target.pending.clear();
        if (target.open)
            target.cancelled = true;
        if (running_ && running_->lane == which)
            cancelRunning_ = true;
    }
    wake_.notify_all();
}

void QuantWorker::finishIdleLanes() {
    for (size_t index = 0; index < lanes_.size(); ++index) {
        Lane& idle = lanes_[index];
        const auto which = QuantLane(index);
        if (!idle.open || !idle.pending.empty() || (running_ && running_->lane == which))
            continue;
        idle.open = false;
        QMetaObject::invokeMethod(
            this,
            [this, which, ticket = idle.ticket, cancelled = idle.cancelled] {
                emit laneFinished(which, ticket, cancelled);
            },
            Qt::QueuedConnection);
    }
}

void QuantWorker::run() {
    std::unique_ptr<Backends> backends;
    std::unique_lock lock(mutex_);
    for (;;) {
        finishIdleLanes();
        wake_.wait(lock, [this] {
            return stopping_ || std::any_of(lanes_.begin(), lanes_.end(),
                                            [](const Lane& lane) { return lane.open; });
        });
        if (stopping_)
            return;
        const auto next = std::find_if(lanes_.begin(), lanes_.end(),
                                       [](const Lane& lane) { return !lane.pending.empty(); });
        if (next == lanes_.end())
            continue;
        running_ = Running{QuantLane(next - lanes_.begin()), next->ticket, next->pending.front()};
        next->pending.pop_front();
        cancelRunning_ = false;
        const QuantRequest request = running_->request;
        lock.unlock();
        if (!backends) {
            backends = std::make_unique<Backends>(kind_);
            QMetaObject::invokeMethod(
                this,
                [this, name = backends->name(), notice = backends->notice()] {
                    emit backendReady(name, notice);
                },
                Qt::QueuedConnection);
        }
        process(*backends, request);
        lock.lock();
        running_.reset();
    }
}

void QuantWorker::process(Backends& backends, const QuantRequest& request) {
    // Lane and ticket as they are when something is posted (a submit may renew the ticket).
    const auto posting = [this] {
        const std::lock_guard lock(mutex_);
        return std::pair{running_->lane, running_->ticket};
    };
    const QString formatId = QString::fromStdString(request.formatId);
    try {
        const std::shared_ptr<const Format> format = makeFormat(request.formatId);
        auto result = std::make_shared<QuantResult>();
        result->checkpoint = request.checkpoint;
        result->tensorIndex = request.tensorIndex;
        result->original = readQuantizable(*request.checkpoint, request.tensorIndex, *format);
        const MatrixShape shape =
            quantizationShape(request.checkpoint->tensors()[size_t(request.tensorIndex)]);
        QuantBackend& backend = backends.backendFor(*format);
        result->backendName = backend.name();
        using Clock = std::chrono::steady_clock;
        Clock::time_point lastReport = Clock::now();
        const ProgressFn progressFn = [&](uint64_t done, uint64_t total) {
            if (cancelRunning_.load())
                return false;
            if (const auto now = Clock::now(); now - lastReport >= std::chrono::milliseconds(100)) {
                lastReport = now;
                const auto [lane, ticket] = posting();
                QMetaObject::invokeMethod(
                    this,
                    [this, lane, ticket, done, total] { emit progress(lane, ticket, done, total); },
                    Qt::QueuedConnection);
            }
            return true;
        };
        if (!progressFn(0, shape.elements()))
            throw Cancelled();
        result->quantized = backend.quantize(result->original, shape, *format, progressFn);
        ++computations_;
        const auto [lane, ticket] = posting();
        QMetaObject::invokeMethod(
            this,
            [this, lane, ticket, done = SharedQuantResult(std::move(result))] {
                emit resultReady(lane, ticket, done);
            },
            Qt::QueuedConnection);
    } catch (const Cancelled&) {
        // Nothing of a cancelled request is kept or reported.
    } catch (const std::exception& error) {
        const auto [lane, ticket] = posting();
        QMetaObject::invokeMethod(
            this,
            [this, lane, ticket, index = request.tensorIndex, formatId,
             message = QString::fromUtf8(error.what())] {
                emit requestFailed(lane, ticket, index, formatId, message);
            },
            Qt::QueuedConnection);
    }
}

} // namespace bitlens::app

// SPDX-License-Identifier: MIT
#pragma once

#include "BackendKind.h"
#include "gui/QuantResult.h"

#include <QObject>
#include <QString>
#include <array>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

class QThread;

namespace bitlens::app {

// The studio's one quantization thread. It owns the backends, and so the Vulkan device: the
// Vulkan backend when a device exists (created on the first request), the CPU reference
// otherwise and for every format the Vulkan backend has no kernel for.
//
// Requests go into lanes (QuantLane); the worker serves the Selection lane first, then Compare,
// then Batch, one request at a time. submit() replaces a lane's pending requests with new ones
// and cancels the lane's running request (through its ProgressFn) unless it is among them, so a
// newer selection replaces a queued older one. Every signal is emitted on the thread the worker
// was made on, in the order the work happened; a lane's laneFinished comes after the results and
// failures of its requests.
class QuantWorker : public QObject {
    Q_OBJECT
public:
    explicit QuantWorker(BackendKind kind = BackendKind::Auto, QObject* parent = nullptr);
    // Cancels the running request and waits for the thread.
    ~QuantWorker() override;

    // Returns the ticket that the results, failures and laneFinished of these requests carry.
    quint64 submit(QuantLane lane, std::vector<QuantRequest> requests);
    // Drops the lane's pending requests and cancels its running one; laneFinished follows with
    // cancelled = true (after the result of a request that finished before it noticed).
    void cancel(QuantLane lane);

    // Tensors quantized so far (not counting cancelled or failed requests).
    quint64 computations() const { return computations_.load(); }

signals:
    // Once, when the worker has made its backends: the Vulkan device's name, or "cpu" with the
    // notice the user should see (empty when there is a device).
    void backendReady(const QString& name, const QString& notice);
    void resultReady(bitlens::app::QuantLane lane, quint64 ticket,
                     const bitlens::app::SharedQuantResult& result);
    // A request that cannot be done (unsupported row length, NaN/Inf values, unreadable dtype,
    // unknown format): the message says why.
    void requestFailed(bitlens::app::QuantLane lane, quint64 ticket, int tensorIndex,
                       const QString& formatId, const QString& message);
    // Values done of the running request's tensor; at most about ten a second.
    void progress(bitlens::app::QuantLane lane, quint64 ticket, quint64 done, quint64 total);
    // Every request of the lane's latest submit has been served, or the lane was cancelled.
    void laneFinished(bitlens::app::QuantLane lane, quint64 ticket, bool cancelled);

private:
    struct Lane {
        std::deque<QuantRequest> pending;
        quint64 ticket = 0;
        bool open = false; // laneFinished for `ticket` is still to come
        bool cancelled = false;
    };
    struct Running {
        QuantLane lane;
        quint64 ticket; // the lane's ticket, renewed when a submit keeps the running request
        QuantRequest request;
    };
    class Backends;

    void run();
    // Posts laneFinished for each open lane that has nothing pending or running. Locked.
    void finishIdleLanes();
    void process(Backends& backends, const QuantRequest& request);
    Lane& lane(QuantLane which) { return lanes_[size_t(which)]; }

    const BackendKind kind_;
    QThread* thread_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::array<Lane, 3> lanes_;
    std::optional<Running> running_;
    std::atomic<bool> cancelRunning_{false};
    bool stopping_ = false;
    quint64 nextTicket_ = 0;
    std::atomic<quint64> computations_{0};
};

} // namespace bitlens::app

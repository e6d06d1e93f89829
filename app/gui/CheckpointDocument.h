// SPDX-License-Identifier: MIT
#pragma once

#include "core/io/Checkpoint.h"

#include <QObject>
#include <QString>
#include <memory>

namespace bitlens::app {

// The one open checkpoint of the studio and, later, its recipe and results. Views and models
// read from it and never own data. Opening runs on a worker thread so a slow file never freezes
// the GUI; the current checkpoint stays in place until a new one has opened successfully.
class CheckpointDocument : public QObject {
    Q_OBJECT
public:
    explicit CheckpointDocument(QObject* parent = nullptr);
    ~CheckpointDocument() override;

    // Starts opening a file or model folder and returns at once; ends with opened() or failed().
    // A newer open() supersedes one still running: the older result is dropped unannounced.
    void open(const QString& path);
    bool isOpening() const { return opening_; }

    // Null until the first successful open.
    std::shared_ptr<const Checkpoint> checkpoint() const { return checkpoint_; }
    // Path the current checkpoint was opened from, as given to open().
    QString path() const { return path_; }

signals:
    void openingStarted(const QString& path);
    // checkpoint() and path() already return the new checkpoint when this is emitted.
    void opened(const QString& path);
    // `message` is one line naming the file and the problem.
    void failed(const QString& path, const QString& message);

private:
    struct OpenResult;
    void finishOpening(quint64 generation, const OpenResult& result);

    std::shared_ptr<const Checkpoint> checkpoint_;
    QString path_;
    QString pendingPath_;
    bool opening_ = false;
    quint64 generation_ = 0; // counts open() calls; a result is used only if it is the newest
};

} // namespace bitlens::app

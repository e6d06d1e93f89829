// SPDX-License-Identifier: MIT
#include "gui/CheckpointDocument.h"

#include "core/io/CheckpointReader.h"

#include <QFile>
#include <QFutureWatcher>
#include <QtConcurrent>
#include <exception>

namespace bitlens::app {

struct CheckpointDocument::OpenResult {
    std::shared_ptr<const Checkpoint> checkpoint;
    QString error; // set when checkpoint is null
};

CheckpointDocument::CheckpointDocument(QObject* parent) : QObject(parent) {}

CheckpointDocument::~CheckpointDocument() = default;

void CheckpointDocument::open(const QString& path) {
    const quint64 generation = ++generation_;
    pendingPath_ = path;
    opening_ = true;
    emit openingStarted(path);
    // The file system sees the path in the local 8-bit encoding; reading happens off the GUI
    // thread and only plain values cross back.
    const std::filesystem::path nativePath(QFile::encodeName(path).toStdString());
    auto* watcher = new QFutureWatcher<OpenResult>(this);
    connect(watcher, &QFutureWatcher<OpenResult>::finished, this, [this, watcher, generation] {
        watcher->deleteLater();
        finishOpening(generation, watcher->result());
    });
    watcher->setFuture(QtConcurrent::run([nativePath]() -> OpenResult {
        try {
            return {openCheckpoint(nativePath), {}};
        } catch (const std::exception& error) {
            return {nullptr, QString::fromUtf8(error.what())};
        } catch (...) {
            return {nullptr, QString::fromStdString(nativePath.string()) +
                                 QStringLiteral(": unexpected error while opening")};
        }
    }));
}

void CheckpointDocument::finishOpening(quint64 generation, const OpenResult& result) {
    if (generation != generation_)
        return;
    const QString path = pendingPath_;
    pendingPath_.clear();
    opening_ = false;
    if (!result.checkpoint) {
        emit failed(path, result.error);
        return;
    }
    checkpoint_ = result.checkpoint;
    path_ = path;
    emit opened(path);
}

} // namespace bitlens::app

// SPDX-License-Identifier: MIT
#include "gui/RecentFiles.h"

#include <QFileInfo>
#include <QSettings>

namespace bitlens::app {

namespace {

const QString kKey = QStringLiteral("recentFiles");

QString absolute(const QString& path) {
    return QFileInfo(path).absoluteFilePath();
}

} // namespace

QStringList RecentFiles::paths() const {
    return QSettings().value(kKey).toStringList();
}

void RecentFiles::add(const QString& path) {
    QStringList list = paths();
    const QString entry = absolute(path);
    list.removeAll(entry);
    list.prepend(entry);
    store(list.mid(0, kMaxEntries));
}

void RecentFiles::remove(const QString& path) {
    QStringList list = paths();
    if (list.removeAll(absolute(path)) > 0)
        store(list);
}

QStringList RecentFiles::removeMissing() {
    QStringList kept;
    QStringList missing;
    for (const QString& path : paths())
        (QFileInfo::exists(path) ? kept : missing).append(path);
    if (!missing.isEmpty())
        store(kept);
    return missing;
}

void RecentFiles::store(const QStringList& paths) {
    QSettings().setValue(kKey, paths);
}

} // namespace bitlens::app

// SPDX-License-Identifier: MIT
#pragma once

#include <QStringList>

namespace bitlens::app {

// The most recently opened files and folders, newest first, kept in QSettings under
// "recentFiles" (application-wide, so every window sees the same list).
class RecentFiles {
public:
    static constexpr int kMaxEntries = 10;

    QStringList paths() const;
    // Moves `path` (made absolute) to the front; drops the oldest beyond kMaxEntries.
    void add(const QString& path);
    void remove(const QString& path);
    // Removes entries that no longer exist on disk and returns them.
    QStringList removeMissing();

private:
    void store(const QStringList& paths);
};

} // namespace bitlens::app

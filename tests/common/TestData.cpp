// SPDX-License-Identifier: MIT
#include "common/TestData.h"

#include <QDir>
#include <QFileInfo>

namespace bitlens::test {

static QString sharedRoot() {
    return QDir::cleanPath(QStringLiteral(BITLENS_SHARED_DATA));
}

QString sharedDataPath(const QString& relative) {
    return sharedRoot() + QLatin1Char('/') + relative;
}

bool sharedDataAvailable(QString* message) {
    const QFileInfo info(sharedRoot());
    if (info.isDir())
        return true;
    if (message)
        *message =
            QStringLiteral("test data folder %1 is missing: the real checkpoints must sit in "
                           "../shared/data beside the source tree (see its README)")
                .arg(sharedRoot());
    return false;
}

QString sourcePath(const QString& relative) {
    return QDir::cleanPath(QStringLiteral(BITLENS_SOURCE_DIR)) + QLatin1Char('/') + relative;
}

} // namespace bitlens::test

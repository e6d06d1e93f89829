// SPDX-License-Identifier: MIT
#pragma once

#include "gui/CheckpointDocument.h"

#include <QSignalSpy>
#include <QTest>

namespace bitlens::test {

// Opens `path` in `document` and waits for the outcome: empty on success, else the failure
// message (or a timeout notice), so that QCOMPARE(openAndWait(...), QString()) shows it.
inline QString openAndWait(app::CheckpointDocument& document, const QString& path) {
    QSignalSpy opened(&document, &app::CheckpointDocument::opened);
    QSignalSpy failed(&document, &app::CheckpointDocument::failed);
    document.open(path);
    if (!QTest::qWaitFor([&] { return opened.count() + failed.count() > 0; }, 10000))
        return QStringLiteral("timed out opening ") + path;
    return failed.isEmpty() ? QString() : failed.first().at(1).toString();
}

} // namespace bitlens::test

// SPDX-License-Identifier: MIT
#pragma once

#include <QString>

namespace bitlens::test {

// Absolute path of a file or folder under ../shared/data (relative to the source tree).
// Calls QFAIL-style diagnostics are the caller's job: use BITLENS_REQUIRE_SHARED below.
QString sharedDataPath(const QString& relative);

// True when ../shared/data exists; the message says where it was looked for.
bool sharedDataAvailable(QString* message);

// Path of the source tree (for tests that read project files).
QString sourcePath(const QString& relative);

} // namespace bitlens::test

// Fails the current test with a clear message when the shared data folder is missing.
#define BITLENS_REQUIRE_SHARED_DATA()                                                              \
    do {                                                                                           \
        QString bitlensSharedMessage;                                                              \
        if (!bitlens::test::sharedDataAvailable(&bitlensSharedMessage))                            \
            QFAIL(qPrintable(bitlensSharedMessage));                                               \
    } while (false)

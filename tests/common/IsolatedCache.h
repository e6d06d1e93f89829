// SPDX-License-Identifier: MIT
#pragma once

#include <QString>
#include <QTemporaryDir>
#include <QtGlobal>

namespace bitlens::test {

// Points BITLENS_CACHE_DIR at a temporary folder that lives as long as the test process, so that
// tests never read or fill the user's cache (BaselineCache::userFolder). Returns the folder.
inline QString isolateCache() {
    static const QTemporaryDir folder;
    qputenv("BITLENS_CACHE_DIR", folder.path().toLocal8Bit());
    return folder.path();
}

} // namespace bitlens::test

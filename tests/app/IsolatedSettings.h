// SPDX-License-Identifier: MIT
#pragma once

#include <QCoreApplication>
#include <QSettings>
#include <QStandardPaths>

namespace bitlens::test {

// Points this process's QSettings at INI files under `folder` (a QTemporaryDir the test owns),
// so that tests never read or write the user's settings.
inline void isolateSettings(const QString& folder, const QString& application) {
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("BitLensTest"));
    QCoreApplication::setApplicationName(application);
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, folder);
}

} // namespace bitlens::test

// SPDX-License-Identifier: MIT
#pragma once

#include <QString>

namespace bitlens::app {

// The studio's colours: the desktop's own, or BitLens' light or dark palette (Fusion style).
// Plots follow whichever is active (ThemedPlot re-colours itself on palette changes).
enum class Appearance { System, Light, Dark };

QString appearanceKey(Appearance appearance); // "system", "light", "dark"
// System for anything else.
Appearance appearanceFromKey(const QString& key);

// Applies it to the whole application. Call from the GUI thread once a QApplication exists; the
// first call remembers the desktop's style and palette so that System can return to them.
void applyAppearance(Appearance appearance);

} // namespace bitlens::app

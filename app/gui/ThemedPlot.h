// SPDX-License-Identifier: MIT
#pragma once

#include <qcustomplot.h>

namespace bitlens {

// A QCustomPlot whose background, axes, grid, tick labels and legend follow the widget palette,
// so that every plot reads in light and dark themes. Re-applies the palette on PaletteChange.
class ThemedPlot : public QCustomPlot {
    Q_OBJECT
public:
    explicit ThemedPlot(QWidget* parent = nullptr);

    // Colours the axes of every axis rect and colour scale, text items and the legend from
    // palette(); called on construction and on palette changes, and by views after they add
    // colour scales or text items.
    void applyPalette();

protected:
    void changeEvent(QEvent* event) override;
};

// Series colours chosen to stay readable on light and dark backgrounds.
QColor seriesColor(int index);
// A stable colour per format id: the same id gets the same colour in every view and every run.
QColor formatColor(const QString& formatId);
QColor withAlpha(QColor color, int alpha);
// The gradient of density and error maps (dark blue to yellow, perceptually ordered).
QCPColorGradient mapGradient();

} // namespace bitlens

// SPDX-License-Identifier: MIT
#include "gui/ThemedPlot.h"

#include <QEvent>
#include <array>
#include <cstdint>

namespace bitlens {

namespace {

void colourAxis(QCPAxis* axis, const QPalette& palette) {
    const QColor text = palette.color(QPalette::WindowText);
    const QColor grid = withAlpha(text, 40);
    axis->setBasePen(QPen(text));
    axis->setTickPen(QPen(text));
    axis->setSubTickPen(QPen(text));
    axis->setTickLabelColor(text);
    axis->setLabelColor(text);
    axis->grid()->setPen(QPen(grid, 1, Qt::DotLine));
    axis->grid()->setZeroLinePen(QPen(grid));
}

} // namespace

ThemedPlot::ThemedPlot(QWidget* parent) : QCustomPlot(parent) {
    applyPalette();
}

void ThemedPlot::applyPalette() {
    const QPalette& colours = palette();
    setBackground(colours.color(QPalette::Base));
    for (QCPAxisRect* rect : axisRects())
        for (QCPAxis* axis : rect->axes())
            colourAxis(axis, colours);
    for (int i = 0; i < plotLayout()->elementCount(); ++i)
        if (auto* scale = qobject_cast<QCPColorScale*>(plotLayout()->elementAt(i)))
            colourAxis(scale->axis(), colours);
    for (int i = 0; i < itemCount(); ++i)
        if (auto* text = qobject_cast<QCPItemText*>(item(i)))
            text->setColor(colours.color(QPalette::WindowText));
    legend->setBrush(withAlpha(colours.color(QPalette::Base), 220));
    legend->setBorderPen(QPen(colours.color(QPalette::Mid)));
    legend->setTextColor(colours.color(QPalette::WindowText));
    replot(rpQueuedReplot);
}

void ThemedPlot::changeEvent(QEvent* event) {
    if (event->type() == QEvent::PaletteChange)
        applyPalette();
    QCustomPlot::changeEvent(event);
}

QColor seriesColor(int index) {
    // Mid-lightness qualitative colours: distinct from each other and from white and black.
    static const std::array<QColor, 8> colours = {
        QColor(31, 119, 180),  QColor(255, 127, 14), QColor(44, 160, 44),   QColor(214, 39, 40),
        QColor(148, 103, 189), QColor(23, 190, 207), QColor(227, 119, 194), QColor(188, 189, 34)};
    return colours[size_t(index) % colours.size()];
}

QColor formatColor(const QString& formatId) {
    // FNV-1a of the UTF-8 bytes (qHash is seeded per process, which would change colours).
    uint32_t hash = 2166136261u;
    for (char byte : formatId.toUtf8()) {
        hash ^= uint8_t(byte);
        hash *= 16777619u;
    }
    return QColor::fromHsv(int(hash % 360), 170 + int((hash >> 9) % 50),
                           200 + int((hash >> 17) % 40));
}

QColor withAlpha(QColor color, int alpha) {
    color.setAlpha(alpha);
    return color;
}

QCPColorGradient mapGradient() {
    QCPColorGradient gradient;
    gradient.clearColorStops();
    gradient.setColorStopAt(0.0, QColor(68, 1, 84));
    gradient.setColorStopAt(0.25, QColor(59, 82, 139));
    gradient.setColorStopAt(0.5, QColor(33, 145, 140));
    gradient.setColorStopAt(0.75, QColor(94, 201, 98));
    gradient.setColorStopAt(1.0, QColor(253, 231, 37));
    gradient.setNanHandling(QCPColorGradient::nhTransparent);
    return gradient;
}

} // namespace bitlens

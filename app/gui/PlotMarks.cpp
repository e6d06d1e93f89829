// SPDX-License-Identifier: MIT
#include "gui/PlotMarks.h"

#include <qcustomplot.h>

namespace bitlens {

QCPItemStraightLine* addVerticalLine(QCustomPlot* plot, double key, const QPen& pen) {
    auto* line = new QCPItemStraightLine(plot);
    for (QCPItemPosition* end : {line->point1, line->point2}) {
        end->setTypeX(QCPItemPosition::ptPlotCoords);
        end->setTypeY(QCPItemPosition::ptAxisRectRatio);
    }
    line->point1->setCoords(key, 0);
    line->point2->setCoords(key, 1);
    line->setPen(pen);
    line->setSelectable(false);
    return line;
}

QCPItemRect* addVerticalBand(QCustomPlot* plot, double from, double to, const QBrush& brush) {
    auto* band = new QCPItemRect(plot);
    for (QCPItemPosition* corner : {band->topLeft, band->bottomRight}) {
        corner->setTypeX(QCPItemPosition::ptPlotCoords);
        corner->setTypeY(QCPItemPosition::ptAxisRectRatio);
    }
    band->topLeft->setCoords(from, 0);
    band->bottomRight->setCoords(to, 1);
    band->setPen(Qt::NoPen);
    band->setBrush(brush);
    band->setSelectable(false);
    return band;
}

} // namespace bitlens

// SPDX-License-Identifier: MIT
#pragma once

class QBrush;
class QCustomPlot;
class QCPItemRect;
class QCPItemStraightLine;
class QPen;

namespace bitlens {

// A vertical line at x = key over the whole axis rect, whatever the y scale (linear or log).
QCPItemStraightLine* addVerticalLine(QCustomPlot* plot, double key, const QPen& pen);
// A shaded band from x = from to x = to over the whole axis rect height.
QCPItemRect* addVerticalBand(QCustomPlot* plot, double from, double to, const QBrush& brush);

} // namespace bitlens

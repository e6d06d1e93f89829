// SPDX-License-Identifier: MIT
#pragma once

#include "gui/ErrorHistogram.h"

#include <QList>
#include <QWidget>

class QCPBars;
class QCPItemStraightLine;
class QCPItemText;

namespace bitlens {

class ThemedPlot;

// Histogram of the quantization error with the mean (solid) and +-RMSE (dashed) marked.
class ErrorHistogramView : public QWidget {
    Q_OBJECT
public:
    explicit ErrorHistogramView(QWidget* parent = nullptr);

    // Throws Error for a malformed histogram; an empty one clears the view.
    void setErrorHistogram(const ErrorHistogram& errors);

    QCPBars* bars() const { return bars_; }
    QCPItemStraightLine* meanLine() const { return meanLine_; }
    // The lines at -RMSE and +RMSE, in that order.
    const QList<QCPItemStraightLine*>& rmseLines() const { return rmseLines_; }
    ThemedPlot* plot() const { return plot_; }

private:
    ThemedPlot* plot_;
    QCPBars* bars_;
    QCPItemStraightLine* meanLine_;
    QList<QCPItemStraightLine*> rmseLines_;
    QCPItemText* summary_;
};

} // namespace bitlens

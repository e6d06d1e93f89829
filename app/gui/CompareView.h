// SPDX-License-Identifier: MIT
#pragma once

#include "core/metrics/ErrorMetrics.h"
#include "gui/HistogramSeries.h"

#include <QList>
#include <QString>
#include <QWidget>
#include <cstdint>
#include <vector>

class QCPGraph;
class QLabel;
class QTableWidget;

namespace bitlens {

class ThemedPlot;

// One format applied to the compared tensor.
struct FormatComparison {
    QString formatId;
    double bitsPerWeight = 0;
    uint64_t packedBytes = 0;
    ErrorMetrics metrics;
    HistogramSeries errorHistogram; // same bins for every format of one comparison
};

// One tensor under two or more formats: a table (format, bits/weight, bytes, relative RMSE,
// SQNR, cosine, max |error|) and the error histograms overlaid as step lines in the formats'
// colours.
class CompareView : public QWidget {
    Q_OBJECT
public:
    enum Column {
        FormatColumn,
        BitsColumn,
        BytesColumn,
        RelativeRmseColumn,
        SqnrColumn,
        CosineColumn,
        MaxAbsColumn,
        ColumnCount
    };

    explicit CompareView(QWidget* parent = nullptr);

    // Throws Error (and shows nothing new) when a histogram is malformed or the histograms do
    // not share their bins.
    void setComparison(const QString& tensorName, const std::vector<FormatComparison>& formats);

    QTableWidget* table() const { return table_; }
    // One step line per format, in the order given.
    const QList<QCPGraph*>& errorSteps() const { return errorSteps_; }
    ThemedPlot* plot() const { return plot_; }

private:
    QLabel* title_;
    QTableWidget* table_;
    ThemedPlot* plot_;
    QList<QCPGraph*> errorSteps_;
};

} // namespace bitlens

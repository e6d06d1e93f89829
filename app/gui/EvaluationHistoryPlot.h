// SPDX-License-Identifier: MIT
#pragma once

#include <QString>
#include <QWidget>
#include <vector>

class QCPGraph;

namespace bitlens {
class ThemedPlot;
}

namespace bitlens::app {

// One finished evaluation of one recipe: where it sits on the size/quality trade-off.
struct EvaluationRecord {
    QString recipeLabel;      // e.g. "default q4_0, 2 overrides"
    double bitsPerWeight = 0; // average over all tensors
    quint64 bytesAfter = 0;
    double originalMetric = 0;  // accuracy of the float model
    double quantizedMetric = 0; // accuracy of the quantized model
    double agreement = 0;
    double kldMean = 0;
};

// Every evaluation run so far as accuracy against average bits per weight, one point per run,
// with the original model's accuracy as a horizontal reference line: the trade-off curve the user
// builds up while exploring recipes.
class EvaluationHistoryPlot : public QWidget {
    Q_OBJECT
public:
    explicit EvaluationHistoryPlot(QWidget* parent = nullptr);

    void setRecords(const std::vector<EvaluationRecord>& records);
    ThemedPlot* plot() const { return plot_; }
    // The plotted points (x = bits/weight, y = accuracy in %), for tests.
    QCPGraph* pointsGraph() const { return points_; }
    QCPGraph* originalGraph() const { return original_; }

private:
    ThemedPlot* plot_;
    QCPGraph* points_;
    QCPGraph* original_;
};

} // namespace bitlens::app

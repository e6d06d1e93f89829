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

// What an evaluation measures: top-1 accuracy of a classifier (a fraction, higher is better) or
// perplexity of a language model (lower is better).
enum class EvaluationMetric { Accuracy, Perplexity };

// One finished evaluation of one recipe: where it sits on the size/quality trade-off.
struct EvaluationRecord {
    EvaluationMetric metric = EvaluationMetric::Accuracy;
    QString recipeLabel;      // e.g. "default q4_0, 2 overrides"
    double bitsPerWeight = 0; // average over all tensors
    quint64 bytesAfter = 0;
    double originalMetric = 0;  // of the float model
    double quantizedMetric = 0; // of the quantized model
    double kldMean = 0;
    // Classifiers: images where both predict the same class; language models: positions where
    // both rank the same next token first.
    double agreement = 0;
    double kldP99 = 0; // language models only
};

// Every evaluation run so far as the metric (accuracy in %, or perplexity) against average bits
// per weight, one point per run, with the original model's value as a horizontal reference line:
// the trade-off curve the user builds up while exploring recipes. Records are of one metric.
class EvaluationHistoryPlot : public QWidget {
    Q_OBJECT
public:
    explicit EvaluationHistoryPlot(QWidget* parent = nullptr);

    void setRecords(const std::vector<EvaluationRecord>& records);
    ThemedPlot* plot() const { return plot_; }
    // The plotted points (x = bits/weight, y = accuracy in % or perplexity), for tests.
    QCPGraph* pointsGraph() const { return points_; }
    QCPGraph* originalGraph() const { return original_; }

private:
    ThemedPlot* plot_;
    QCPGraph* points_;
    QCPGraph* original_;
};

} // namespace bitlens::app

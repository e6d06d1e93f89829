// SPDX-License-Identifier: MIT
#include "gui/EvaluationHistoryPlot.h"

#include "gui/ThemedPlot.h"

#include <QVBoxLayout>
#include <algorithm>
#include <limits>

namespace bitlens::app {

EvaluationHistoryPlot::EvaluationHistoryPlot(QWidget* parent)
    : QWidget(parent), plot_(new ThemedPlot(this)) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(plot_);
    plot_->setMinimumHeight(160);
    plot_->xAxis->setLabel(tr("average bits per weight"));
    plot_->yAxis->setLabel(tr("accuracy (%)"));

    original_ = plot_->addGraph();
    original_->setName(tr("original"));
    original_->setPen(QPen(seriesColor(1), 1.5, Qt::DashLine));

    points_ = plot_->addGraph();
    points_->setName(tr("quantized"));
    points_->setLineStyle(QCPGraph::lsNone);
    points_->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, seriesColor(0), 8));
    plot_->legend->setVisible(true);
    plot_->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignBottom | Qt::AlignRight);
    plot_->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    setRecords({});
}

void EvaluationHistoryPlot::setRecords(const std::vector<EvaluationRecord>& records) {
    const bool accuracy = records.empty() || records.back().metric == EvaluationMetric::Accuracy;
    const double factor = accuracy ? 100 : 1;
    plot_->yAxis->setLabel(accuracy ? tr("accuracy (%)") : tr("perplexity"));
    QVector<double> bits;
    QVector<double> values;
    double lowest = std::numeric_limits<double>::infinity();
    double highest = 0;
    double widest = 0;
    for (const EvaluationRecord& record : records) {
        bits.push_back(record.bitsPerWeight);
        values.push_back(factor * record.quantizedMetric);
        lowest =
            std::min({lowest, factor * record.quantizedMetric, factor * record.originalMetric});
        highest =
            std::max({highest, factor * record.quantizedMetric, factor * record.originalMetric});
        widest = std::max(widest, record.bitsPerWeight);
    }
    points_->setData(bits, values);
    if (records.empty()) {
        original_->data()->clear();
        plot_->xAxis->setRange(0, 33);
        plot_->yAxis->setRange(0, 100);
    } else {
        // The float model is the same for every run: one line across the plotted range.
        const double reference = factor * records.back().originalMetric;
        const double right = std::max(32.0, widest) + 1;
        original_->setData({0, right}, {reference, reference});
        plot_->xAxis->setRange(0, right);
        const double margin = std::max(accuracy ? 1.0 : 0.05 * highest, (highest - lowest) * 0.1);
        const double top = highest + margin;
        plot_->yAxis->setRange(std::max(0.0, lowest - margin),
                               accuracy ? std::min(100.0, top) : top);
    }
    plot_->replot();
}

} // namespace bitlens::app

// SPDX-License-Identifier: MIT
#include "gui/EvaluationHistoryPlot.h"

#include "gui/ThemedPlot.h"

#include <QVBoxLayout>
#include <algorithm>

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
    plot_->xAxis->setRange(0, 33);
    plot_->yAxis->setRange(0, 100);
}

void EvaluationHistoryPlot::setRecords(const std::vector<EvaluationRecord>& records) {
    QVector<double> bits;
    QVector<double> accuracy;
    double lowest = 100;
    double highest = 0;
    double widest = 0;
    for (const EvaluationRecord& record : records) {
        bits.push_back(record.bitsPerWeight);
        accuracy.push_back(100 * record.quantizedMetric);
        lowest = std::min({lowest, 100 * record.quantizedMetric, 100 * record.originalMetric});
        highest = std::max({highest, 100 * record.quantizedMetric, 100 * record.originalMetric});
        widest = std::max(widest, record.bitsPerWeight);
    }
    points_->setData(bits, accuracy);
    if (records.empty()) {
        original_->data()->clear();
    } else {
        // The float model is the same for every run: one line across the plotted range.
        const double reference = 100 * records.back().originalMetric;
        original_->setData({0, std::max(32.0, widest)}, {reference, reference});
        plot_->xAxis->setRange(0, std::max(32.0, widest) + 1);
        const double margin = std::max(1.0, (highest - lowest) * 0.1);
        plot_->yAxis->setRange(std::max(0.0, lowest - margin), std::min(100.0, highest + margin));
    }
    plot_->replot();
}

} // namespace bitlens::app

// SPDX-License-Identifier: MIT
#include "gui/LayerChart.h"

#include "gui/PlotMarks.h"
#include "gui/ThemedPlot.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

namespace bitlens {

namespace {

// Up to this many tensors the x axis is labelled with their names, beyond it with indices.
constexpr size_t kMaxNamedTicks = 48;

double metricOf(const LayerChartEntry& entry, LayerMetric metric) {
    switch (metric) {
    case LayerMetric::RelativeRmse:
        return entry.relativeRmse;
    case LayerMetric::SqnrDb:
        return entry.sqnrDb;
    case LayerMetric::BitsPerWeight:
        return entry.bitsPerWeight;
    }
    return 0;
}

QString metricLabel(LayerMetric metric) {
    switch (metric) {
    case LayerMetric::RelativeRmse:
        return LayerChart::tr("relative RMSE");
    case LayerMetric::SqnrDb:
        return LayerChart::tr("SQNR (dB)");
    case LayerMetric::BitsPerWeight:
        return LayerChart::tr("bits per weight");
    }
    return {};
}

} // namespace

LayerChart::LayerChart(QWidget* parent)
    : QWidget(parent), plot_(new ThemedPlot(this)), metricChoice_(new QComboBox) {
    for (LayerMetric metric :
         {LayerMetric::RelativeRmse, LayerMetric::SqnrDb, LayerMetric::BitsPerWeight})
        metricChoice_->addItem(metricLabel(metric), int(metric));
    selectionBand_ =
        addVerticalBand(plot_, 0, 0, withAlpha(palette().color(QPalette::Highlight), 80));
    selectionBand_->setVisible(false);
    plot_->xAxis->setLabel(tr("tensor (model order)"));
    plot_->xAxis->setTickLabelRotation(60);
    plot_->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    plot_->axisRect()->setRangeDrag(Qt::Horizontal);
    plot_->axisRect()->setRangeZoom(Qt::Horizontal);
    plot_->legend->setVisible(true);

    auto* controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Metric")));
    controls->addWidget(metricChoice_);
    controls->addStretch();
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(controls);
    layout->addWidget(plot_, 1);

    connect(metricChoice_, &QComboBox::currentIndexChanged, this,
            [this](int index) { setMetric(LayerMetric(metricChoice_->itemData(index).toInt())); });
    connect(plot_, &QCustomPlot::plottableClick, this, &LayerChart::onPlottableClick);
    rebuildBars();
}

void LayerChart::setEntries(const std::vector<LayerChartEntry>& entries) {
    entries_ = entries;
    if (selected_ >= int(entries_.size()))
        selected_ = -1;
    rebuildBars();
    setSelectedTensor(selected_);
}

void LayerChart::setMetric(LayerMetric metric) {
    metric_ = metric;
    metricChoice_->setCurrentIndex(metricChoice_->findData(int(metric)));
    rebuildBars();
}

void LayerChart::setSelectedTensor(int index) {
    selected_ = index >= 0 && index < int(entries_.size()) ? index : -1;
    selectionBand_->setVisible(selected_ >= 0);
    selectionBand_->topLeft->setCoords(selected_ - 0.5, 0);
    selectionBand_->bottomRight->setCoords(selected_ + 0.5, 1);
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

void LayerChart::onPlottableClick(QCPAbstractPlottable* plottable, int dataIndex, QMouseEvent*) {
    auto* bars = qobject_cast<QCPBars*>(plottable);
    if (!bars || !formatBars_.contains(bars) || dataIndex < 0 || dataIndex >= bars->data()->size())
        return;
    const int tensor = int(bars->data()->at(dataIndex)->key);
    setSelectedTensor(tensor);
    emit tensorClicked(tensor);
}

void LayerChart::rebuildBars() {
    for (QCPBars* bars : formatBars_)
        plot_->removePlottable(bars);
    formatBars_.clear();
    QStringList formats;
    QVector<double> tickKeys;
    QVector<QString> tickNames;
    double low = 0;
    double high = 0;
    for (size_t i = 0; i < entries_.size(); ++i) {
        const LayerChartEntry& entry = entries_[i];
        int format = int(formats.indexOf(entry.formatId));
        if (format < 0) {
            format = int(formats.size());
            formats.push_back(entry.formatId);
            auto* bars = new QCPBars(plot_->xAxis, plot_->yAxis);
            bars->setName(entry.formatId);
            bars->setWidth(0.8);
            bars->setPen(Qt::NoPen);
            bars->setBrush(formatColor(entry.formatId));
            formatBars_.push_back(bars);
        }
        const double value = metricOf(entry, metric_);
        if (std::isfinite(value)) {
            formatBars_[format]->addData(double(i), value);
            low = std::min(low, value);
            high = std::max(high, value);
        }
        tickKeys.push_back(double(i));
        tickNames.push_back(entry.name);
    }
    if (entries_.size() <= kMaxNamedTicks) {
        auto ticker = QSharedPointer<QCPAxisTickerText>::create();
        ticker->setTicks(tickKeys, tickNames);
        plot_->xAxis->setTicker(ticker);
    } else {
        plot_->xAxis->setTicker(QSharedPointer<QCPAxisTicker>::create());
    }
    plot_->yAxis->setLabel(metricLabel(metric_));
    plot_->xAxis->setRange(-0.5, std::max(double(entries_.size()), 1.0) - 0.5);
    const double span = high - low > 0 ? high - low : 1.0;
    plot_->yAxis->setRange(low < 0 ? low - 0.05 * span : 0, high + 0.05 * span);
    plot_->legend->setVisible(!formatBars_.isEmpty());
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

} // namespace bitlens

// SPDX-License-Identifier: MIT
#include "gui/HistogramView.h"

#include "core/util/Error.h"
#include "gui/IndexStepper.h"
#include "gui/PlotMarks.h"
#include "gui/ThemedPlot.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QSignalBlocker>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <iterator>

namespace bitlens {

HistogramView::HistogramView(QWidget* parent)
    : QWidget(parent), plot_(new ThemedPlot(this)), logToggle_(new QCheckBox(tr("Log counts"))),
      groupStepper_(new IndexStepper(tr("group"))) {
    originalBars_ = new QCPBars(plot_->xAxis, plot_->yAxis);
    originalBars_->setName(tr("original"));
    originalBars_->setPen(Qt::NoPen);
    originalBars_->setBrush(withAlpha(seriesColor(0), 190));
    dequantizedSteps_ = plot_->addGraph();
    dequantizedSteps_->setName(tr("dequantized"));
    dequantizedSteps_->setPen(QPen(seriesColor(1), 1.5));
    dequantizedSteps_->setBrush(withAlpha(seriesColor(1), 70));
    plot_->xAxis->setLabel(tr("weight value"));
    plot_->yAxis->setLabel(tr("count"));
    plot_->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    plot_->axisRect()->setRangeDrag(Qt::Horizontal);
    plot_->axisRect()->setRangeZoom(Qt::Horizontal);
    plot_->legend->setVisible(true);
    plot_->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);

    auto* controls = new QHBoxLayout;
    controls->addWidget(logToggle_);
    controls->addWidget(groupStepper_);
    controls->addStretch();
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(controls);
    layout->addWidget(plot_, 1);

    connect(logToggle_, &QCheckBox::toggled, this, [this](bool on) {
        replotSeries();
        emit logCountsChanged(on);
    });
    connect(plot_->xAxis, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), this,
            &HistogramView::fitClipShades);
    connect(groupStepper_, &IndexStepper::indexRequested, this, &HistogramView::groupRequested);
    replotSeries();
}

void HistogramView::setOriginal(const HistogramSeries& series) {
    series.validate();
    original_ = series;
    replotSeries();
    resetZoom();
}

void HistogramView::setDequantized(const HistogramSeries& series) {
    series.validate();
    if (!series.empty() && series.edges != original_.edges)
        throw Error("histogram: the dequantized series must use the bins of the original");
    dequantized_ = series;
    replotSeries();
}

void HistogramView::setLevels(const std::vector<float>& levels) {
    clearItems(levelLines_);
    std::vector<float> drawn;
    std::copy_if(levels.begin(), levels.end(), std::back_inserter(drawn),
                 [](float level) { return std::isfinite(level); });
    std::sort(drawn.begin(), drawn.end());
    drawn.erase(std::unique(drawn.begin(), drawn.end()), drawn.end()); // -0 == +0
    const QPen pen(withAlpha(seriesColor(3), 150), 1);
    for (float level : drawn)
        levelLines_.push_back(addVerticalLine(plot_, double(level), pen));
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

void HistogramView::setClipRange(std::optional<std::pair<double, double>> range) {
    clearItems(clipLines_);
    for (QCPItemRect* shade : clipShades_)
        plot_->removeItem(shade);
    clipShades_.clear();
    if (range) {
        const double low = std::min(range->first, range->second);
        const double high = std::max(range->first, range->second);
        const QBrush shade(QColor(128, 128, 128, 60));
        clipShades_ = {addVerticalBand(plot_, low, low, shade),
                       addVerticalBand(plot_, high, high, shade)};
        fitClipShades();
        const QPen pen(seriesColor(4), 1.5, Qt::DashLine);
        clipLines_ = {addVerticalLine(plot_, low, pen), addVerticalLine(plot_, high, pen)};
    }
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

void HistogramView::fitClipShades() {
    // Bands end at the visible range: far-away coordinates overflow the raster engine.
    if (clipShades_.size() != 2)
        return;
    const QCPRange visible = plot_->xAxis->range();
    QCPItemPosition* leftOuter = clipShades_[0]->topLeft;
    QCPItemPosition* rightOuter = clipShades_[1]->bottomRight;
    leftOuter->setCoords(std::min(visible.lower, clipShades_[0]->bottomRight->key()), 0);
    rightOuter->setCoords(std::max(visible.upper, clipShades_[1]->topLeft->key()), 1);
}

void HistogramView::setGroupCount(int count) {
    groupStepper_->setCount(count);
}

void HistogramView::setCurrentGroup(int group) {
    groupStepper_->setCurrentIndex(group);
}

void HistogramView::setLogCounts(bool logarithmic) {
    logToggle_->setChecked(logarithmic);
}

bool HistogramView::logCounts() const {
    return logToggle_->isChecked();
}

void HistogramView::resetZoom() {
    if (!original_.empty()) {
        const double margin = 0.02 * (original_.edges.back() - original_.edges.front());
        plot_->xAxis->setRange(original_.edges.front() - margin, original_.edges.back() + margin);
    }
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

void HistogramView::replotSeries() {
    const bool logarithmic = logCounts();
    if (logarithmic) {
        plot_->yAxis->setScaleType(QCPAxis::stLogarithmic);
        plot_->yAxis->setTicker(QSharedPointer<QCPAxisTickerLog>::create());
        plot_->yAxis->setNumberFormat(QStringLiteral("eb"));
        plot_->yAxis->setNumberPrecision(0);
    } else {
        plot_->yAxis->setScaleType(QCPAxis::stLinear);
        plot_->yAxis->setTicker(QSharedPointer<QCPAxisTicker>::create());
        plot_->yAxis->setNumberFormat(QStringLiteral("gb"));
        plot_->yAxis->setNumberPrecision(6);
    }
    const double floor = logarithmic ? kLogCountFloor : 0.0;
    originalBars_->setBaseValue(floor);
    plotBars(*originalBars_, original_, logarithmic);
    plotSteps(*dequantizedSteps_, dequantized_, floor);
    dequantizedSteps_->setVisible(!dequantized_.empty());
    dequantizedSteps_->removeFromLegend();
    if (!dequantized_.empty())
        dequantizedSteps_->addToLegend();
    rescaleCounts();
}

void HistogramView::rescaleCounts() {
    double top = 1;
    for (const HistogramSeries* series : {&original_, &dequantized_})
        for (double count : series->counts)
            top = std::max(top, count);
    if (logCounts())
        plot_->yAxis->setRange(kLogCountFloor, top * 2.0);
    else
        plot_->yAxis->setRange(0, top * 1.05);
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

void HistogramView::clearItems(QList<QCPItemStraightLine*>& lines) {
    for (QCPItemStraightLine* line : lines)
        plot_->removeItem(line);
    lines.clear();
}

} // namespace bitlens

// SPDX-License-Identifier: MIT
#include "gui/ErrorHistogramView.h"

#include "gui/PlotMarks.h"
#include "gui/ThemedPlot.h"

#include <QVBoxLayout>
#include <algorithm>

namespace bitlens {

ErrorHistogramView::ErrorHistogramView(QWidget* parent)
    : QWidget(parent), plot_(new ThemedPlot(this)) {
    bars_ = new QCPBars(plot_->xAxis, plot_->yAxis);
    bars_->setPen(Qt::NoPen);
    bars_->setBrush(withAlpha(seriesColor(3), 170));
    meanLine_ = addVerticalLine(plot_, 0, QPen(seriesColor(0), 1.5));
    const QPen rmsePen(seriesColor(2), 1.5, Qt::DashLine);
    rmseLines_ = {addVerticalLine(plot_, 0, rmsePen), addVerticalLine(plot_, 0, rmsePen)};
    summary_ = new QCPItemText(plot_);
    summary_->position->setType(QCPItemPosition::ptAxisRectRatio);
    summary_->position->setCoords(0.02, 0.03);
    summary_->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
    summary_->setTextAlignment(Qt::AlignLeft);
    plot_->xAxis->setLabel(tr("error (dequantized \u2212 original)"));
    plot_->yAxis->setLabel(tr("count"));
    plot_->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    plot_->axisRect()->setRangeDrag(Qt::Horizontal);
    plot_->axisRect()->setRangeZoom(Qt::Horizontal);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(plot_);
    plot_->applyPalette();
    setErrorHistogram({});
}

void ErrorHistogramView::setErrorHistogram(const ErrorHistogram& errors) {
    errors.histogram.validate();
    plotBars(*bars_, errors.histogram, false);
    const bool shown = !errors.histogram.empty();
    meanLine_->point1->setCoords(errors.mean, 0);
    meanLine_->point2->setCoords(errors.mean, 1);
    const double sides[] = {-errors.rmse, errors.rmse};
    for (int i = 0; i < 2; ++i) {
        rmseLines_[i]->point1->setCoords(sides[i], 0);
        rmseLines_[i]->point2->setCoords(sides[i], 1);
    }
    for (QCPAbstractItem* item :
         {static_cast<QCPAbstractItem*>(meanLine_), static_cast<QCPAbstractItem*>(rmseLines_[0]),
          static_cast<QCPAbstractItem*>(rmseLines_[1]), static_cast<QCPAbstractItem*>(summary_)})
        item->setVisible(shown);
    summary_->setText(
        tr("mean %1\nRMSE %2").arg(errors.mean, 0, 'g', 4).arg(errors.rmse, 0, 'g', 4));
    if (shown) {
        plot_->xAxis->setRange(errors.histogram.edges.front(), errors.histogram.edges.back());
        const double top =
            *std::max_element(errors.histogram.counts.begin(), errors.histogram.counts.end());
        plot_->yAxis->setRange(0, std::max(top, 1.0) * 1.05);
    }
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

} // namespace bitlens

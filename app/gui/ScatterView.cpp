// SPDX-License-Identifier: MIT
#include "gui/ScatterView.h"

#include "core/util/Error.h"
#include "gui/ThemedPlot.h"

#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

namespace bitlens {

namespace {

struct Extent {
    double low = std::numeric_limits<double>::infinity();
    double high = -std::numeric_limits<double>::infinity();
    size_t finitePairs = 0;
};

Extent extentOf(std::span<const float> original, std::span<const float> dequantized) {
    Extent extent;
    for (size_t i = 0; i < original.size(); ++i) {
        if (!std::isfinite(original[i]) || !std::isfinite(dequantized[i]))
            continue;
        extent.low = std::min({extent.low, double(original[i]), double(dequantized[i])});
        extent.high = std::max({extent.high, double(original[i]), double(dequantized[i])});
        ++extent.finitePairs;
    }
    if (extent.finitePairs == 0)
        extent = {-1, 1, 0};
    if (extent.low == extent.high) {
        extent.low -= 1;
        extent.high += 1;
    }
    return extent;
}

} // namespace

ScatterView::ScatterView(QWidget* parent)
    : QWidget(parent), plot_(new ThemedPlot(this)), colorScale_(new QCPColorScale(plot_)) {
    scatter_ = plot_->addGraph();
    scatter_->setLineStyle(QCPGraph::lsNone);
    scatter_->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, seriesColor(0), 3));
    scatter_->setAdaptiveSampling(true);
    density_ = new QCPColorMap(plot_->xAxis, plot_->yAxis);
    density_->setInterpolate(false);
    density_->setColorScale(colorScale_);
    colorScale_->setGradient(mapGradient()); // a linked map takes the scale's gradient
    plot_->plotLayout()->addElement(0, 1, colorScale_);
    colorScale_->setDataScaleType(QCPAxis::stLogarithmic);
    colorScale_->axis()->setTicker(QSharedPointer<QCPAxisTickerLog>::create());
    colorScale_->axis()->setLabel(tr("points per cell"));
    auto* margins = new QCPMarginGroup(plot_);
    plot_->axisRect()->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
    colorScale_->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
    auto* identity = new QCPItemStraightLine(plot_);
    identity->point1->setCoords(0, 0);
    identity->point2->setCoords(1, 1);
    identity->setPen(QPen(withAlpha(seriesColor(3), 200), 1, Qt::DashLine));
    plot_->xAxis->setLabel(tr("original"));
    plot_->yAxis->setLabel(tr("dequantized"));
    plot_->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    plot_->applyPalette();
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(plot_);
    setPoints({}, {});
}

bool ScatterView::showsDensity() const {
    return density_->visible();
}

QSize ScatterView::densityCells() const {
    // The widget's size is known before its first layout, the axis rect's is not.
    return {std::clamp(width() / 2, kMinDensityCells, kMaxDensityCells),
            std::clamp(height() / 2, kMinDensityCells, kMaxDensityCells)};
}

ScatterView::Points ScatterView::prepare(std::span<const float> original,
                                         std::span<const float> dequantized, QSize densityCells) {
    if (original.size() != dequantized.size())
        throw Error("scatter: " + std::to_string(original.size()) + " original and " +
                    std::to_string(dequantized.size()) + " dequantized values");
    const Extent extent = extentOf(original, dequantized);
    Points points;
    points.low = extent.low;
    points.high = extent.high;
    points.dense = extent.finitePairs > kScatterPointLimit;
    if (points.dense) {
        points.columns = densityCells.width();
        points.rows = densityCells.height();
        points.counts.assign(size_t(points.columns) * size_t(points.rows), 0.0);
        const double span = extent.high - extent.low;
        auto cellOf = [&](float value, int cells) {
            return std::min(int((double(value) - extent.low) / span * cells), cells - 1);
        };
        for (size_t i = 0; i < original.size(); ++i) {
            if (!std::isfinite(original[i]) || !std::isfinite(dequantized[i]))
                continue;
            points.counts[size_t(cellOf(dequantized[i], points.rows)) * size_t(points.columns) +
                          size_t(cellOf(original[i], points.columns))] += 1;
        }
    } else {
        for (size_t i = 0; i < original.size(); ++i) {
            if (!std::isfinite(original[i]) || !std::isfinite(dequantized[i]))
                continue;
            points.keys.push_back(original[i]);
            points.values.push_back(dequantized[i]);
        }
    }
    return points;
}

void ScatterView::setPoints(std::span<const float> original, std::span<const float> dequantized) {
    show(prepare(original, dequantized, densityCells()));
}

void ScatterView::show(const Points& points) {
    scatter_->data()->clear();
    density_->data()->clear();
    if (points.dense) {
        // QCPColorMapData ranges are the centres of the outer cells.
        const double span = points.high - points.low;
        const double cellWidth = span / points.columns;
        const double cellHeight = span / points.rows;
        auto* data = density_->data();
        data->setSize(points.columns, points.rows);
        data->setRange(QCPRange(points.low + cellWidth / 2, points.high - cellWidth / 2),
                       QCPRange(points.low + cellHeight / 2, points.high - cellHeight / 2));
        double most = 1;
        for (int row = 0; row < points.rows; ++row)
            for (int column = 0; column < points.columns; ++column) {
                const double count =
                    points.counts[size_t(row) * size_t(points.columns) + size_t(column)];
                most = std::max(most, count);
                data->setCell(column, row, count > 0 ? count : std::nan(""));
            }
        density_->setDataRange(QCPRange(1, std::max(most, 10.0)));
    } else {
        scatter_->setData(points.keys, points.values);
    }
    density_->setVisible(points.dense);
    colorScale_->setVisible(points.dense);
    scatter_->setVisible(!points.dense);
    const double margin = 0.02 * (points.high - points.low);
    plot_->xAxis->setRange(points.low - margin, points.high + margin);
    plot_->yAxis->setRange(points.low - margin, points.high + margin);
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

} // namespace bitlens

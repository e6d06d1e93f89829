// SPDX-License-Identifier: MIT
#include "gui/ErrorHeatMap.h"

#include "core/util/Error.h"
#include "gui/ThemedPlot.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

namespace bitlens {

namespace {

ErrorHeatMap::Grid emptyGrid(int rows, int columns) {
    ErrorHeatMap::Grid grid;
    grid.rows = rows;
    grid.columns = columns;
    const size_t cells = size_t(rows) * size_t(columns);
    grid.maximum.assign(cells, 0.0f);
    grid.sum.assign(cells, 0.0);
    grid.count.assign(cells, 0);
    return grid;
}

// Source row (or column) i of n lands in cell i * cells / n.
int cellOf(uint64_t index, uint64_t n, int cells) {
    return int(index * uint64_t(cells) / n);
}

ErrorHeatMap::Grid reduceMatrix(std::span<const float> original, std::span<const float> dequantized,
                                MatrixShape shape) {
    auto grid = emptyGrid(int(std::min<uint64_t>(shape.rows, ErrorHeatMap::kMaxGridCells)),
                          int(std::min<uint64_t>(shape.rowLength, ErrorHeatMap::kMaxGridCells)));
    std::vector<int> columnCell(shape.rowLength);
    for (uint64_t column = 0; column < shape.rowLength; ++column)
        columnCell[column] = cellOf(column, shape.rowLength, grid.columns);
    for (uint64_t row = 0; row < shape.rows; ++row) {
        const size_t rowBase = size_t(cellOf(row, shape.rows, grid.rows)) * size_t(grid.columns);
        const size_t offset = row * shape.rowLength;
        for (uint64_t column = 0; column < shape.rowLength; ++column) {
            const float error = std::abs(dequantized[offset + column] - original[offset + column]);
            const size_t cell = rowBase + size_t(columnCell[column]);
            if (std::isfinite(error)) {
                grid.maximum[cell] = std::max(grid.maximum[cell], error);
                grid.sum[cell] += error;
                grid.count[cell] += 1;
            } else {
                grid.maximum[cell] = std::numeric_limits<float>::infinity();
            }
        }
    }
    return grid;
}

ErrorHeatMap::Grid rebin(const ErrorHeatMap::Grid& source, int rows, int columns) {
    auto grid = emptyGrid(rows, columns);
    for (int row = 0; row < source.rows; ++row) {
        const size_t rowBase =
            size_t(cellOf(uint64_t(row), uint64_t(source.rows), rows)) * size_t(columns);
        for (int column = 0; column < source.columns; ++column) {
            const size_t from = size_t(row) * size_t(source.columns) + size_t(column);
            const size_t to =
                rowBase + size_t(cellOf(uint64_t(column), uint64_t(source.columns), columns));
            grid.maximum[to] = std::max(grid.maximum[to], source.maximum[from]);
            grid.sum[to] += source.sum[from];
            grid.count[to] += source.count[from];
        }
    }
    return grid;
}

} // namespace

ErrorHeatMap::ErrorHeatMap(QWidget* parent)
    : QWidget(parent), plot_(new ThemedPlot(this)), reductionChoice_(new QComboBox),
      colorScale_(new QCPColorScale(plot_)) {
    colorMap_ = new QCPColorMap(plot_->xAxis, plot_->yAxis);
    colorMap_->setInterpolate(false);
    colorMap_->setColorScale(colorScale_);
    colorScale_->setGradient(mapGradient()); // a linked map takes the scale's gradient
    plot_->plotLayout()->addElement(0, 1, colorScale_);
    auto* margins = new QCPMarginGroup(plot_);
    plot_->axisRect()->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
    colorScale_->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
    plot_->xAxis->setLabel(tr("input (column)"));
    plot_->yAxis->setLabel(tr("output channel (row)"));
    plot_->yAxis->setRangeReversed(true);
    plot_->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    plot_->applyPalette();
    reductionChoice_->addItem(tr("max |error| per cell"));
    reductionChoice_->addItem(tr("mean |error| per cell"));

    auto* controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Show")));
    controls->addWidget(reductionChoice_);
    controls->addStretch();
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(controls);
    layout->addWidget(plot_, 1);

    connect(reductionChoice_, &QComboBox::currentIndexChanged, this,
            [this](int index) { setReduction(index == 0 ? Reduction::Max : Reduction::Mean); });
    // The axis rect's pixel size is known after layout: re-bin when it changed.
    connect(plot_, &QCustomPlot::afterLayout, this, [this] {
        const QSize size = displaySize();
        const QCPColorMapData* shown = colorMap_->data();
        if (source_.rows > 0 &&
            (shown->keySize() != size.width() || shown->valueSize() != size.height()))
            showGrid();
    });
}

ErrorHeatMap::Grid ErrorHeatMap::reduce(std::span<const float> original,
                                        std::span<const float> dequantized, MatrixShape shape) {
    if (original.size() != shape.elements() || dequantized.size() != shape.elements())
        throw Error("error heat map: " + std::to_string(shape.rows) + " x " +
                    std::to_string(shape.rowLength) + " matrix but " +
                    std::to_string(original.size()) + " original and " +
                    std::to_string(dequantized.size()) + " dequantized values");
    return shape.elements() == 0 ? Grid{} : reduceMatrix(original, dequantized, shape);
}

void ErrorHeatMap::setGrid(Grid grid, MatrixShape shape) {
    shape_ = shape;
    source_ = std::move(grid);
    showGrid();
}

void ErrorHeatMap::setMatrix(std::span<const float> original, std::span<const float> dequantized,
                             MatrixShape shape) {
    setGrid(reduce(original, dequantized, shape), shape);
}

void ErrorHeatMap::setReduction(Reduction reduction) {
    reduction_ = reduction;
    reductionChoice_->setCurrentIndex(reduction == Reduction::Max ? 0 : 1);
    showGrid();
}

QSize ErrorHeatMap::displaySize() const {
    // Before the first layout the axis rect has no size yet: the source grid then.
    const QRect pixels = plot_->axisRect()->rect();
    return {pixels.width() > 0 ? std::min(source_.columns, pixels.width()) : source_.columns,
            pixels.height() > 0 ? std::min(source_.rows, pixels.height()) : source_.rows};
}

void ErrorHeatMap::showGrid() {
    QCPColorMapData* data = colorMap_->data();
    data->clear();
    colorScale_->axis()->setLabel(reduction_ == Reduction::Max ? tr("max |error|")
                                                               : tr("mean |error|"));
    if (source_.rows == 0) {
        plot_->replot(QCustomPlot::rpQueuedReplot);
        return;
    }
    const int columns = displaySize().width();
    const int rows = displaySize().height();
    const Grid shown = rebin(source_, rows, columns);
    const double cellWidth = double(shape_.rowLength) / columns;
    const double cellHeight = double(shape_.rows) / rows;
    data->setSize(columns, rows);
    data->setRange(QCPRange(cellWidth / 2, double(shape_.rowLength) - cellWidth / 2),
                   QCPRange(cellHeight / 2, double(shape_.rows) - cellHeight / 2));
    for (int row = 0; row < rows; ++row)
        for (int column = 0; column < columns; ++column) {
            const size_t cell = size_t(row) * size_t(columns) + size_t(column);
            const double value = reduction_ == Reduction::Max ? double(shown.maximum[cell])
                                 : shown.count[cell] > 0
                                     ? shown.sum[cell] / double(shown.count[cell])
                                     : std::nan("");
            data->setCell(column, row, value);
        }
    colorMap_->rescaleDataRange(true);
    plot_->xAxis->setRange(0, double(shape_.rowLength));
    plot_->yAxis->setRange(0, double(shape_.rows));
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

} // namespace bitlens

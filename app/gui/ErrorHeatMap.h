// SPDX-License-Identifier: MIT
#pragma once

#include "core/io/Checkpoint.h"

#include <QWidget>
#include <span>
#include <vector>

class QComboBox;
class QCPColorMap;
class QCPColorScale;

namespace bitlens {

class ThemedPlot;

// |dequantized - original| over a weight matrix (rows = output channels, columns = inputs),
// each cell the max or the mean over the weights it covers, so outlier channels stand out.
// setMatrix reduces the matrix once to at most kMaxGridCells x kMaxGridCells cells and keeps
// only that grid; the display re-bins it to the plot's pixel size on every resize.
class ErrorHeatMap : public QWidget {
    Q_OBJECT
public:
    static constexpr int kMaxGridCells = 512;
    enum class Reduction { Max, Mean };

    explicit ErrorHeatMap(QWidget* parent = nullptr);

    // Throws Error when either span does not hold shape.elements() values. Non-finite errors
    // count as +inf for Max and are left out of Mean.
    void setMatrix(std::span<const float> original, std::span<const float> dequantized,
                   MatrixShape shape);
    void setReduction(Reduction reduction);
    Reduction reduction() const { return reduction_; }

    QCPColorMap* colorMap() const { return colorMap_; }
    ThemedPlot* plot() const { return plot_; }

    // Per-cell |error| sums, maxima and counts of a rows x columns grid, row-major.
    struct Grid {
        int rows = 0;
        int columns = 0;
        std::vector<float> maximum;
        std::vector<double> sum;
        std::vector<uint64_t> count;
    };

    // setMatrix in two steps: reduce() touches no widget and may run on a worker thread;
    // setGrid() then shows its grid (GUI thread). reduce() throws as setMatrix does.
    static Grid reduce(std::span<const float> original, std::span<const float> dequantized,
                       MatrixShape shape);
    void setGrid(Grid grid, MatrixShape shape);

private:
    // Cells shown: the source grid, at most one cell per pixel of the axis rect.
    QSize displaySize() const;
    void showGrid();

    ThemedPlot* plot_;
    QComboBox* reductionChoice_;
    QCPColorMap* colorMap_;
    QCPColorScale* colorScale_;
    MatrixShape shape_;
    Grid source_;
    Reduction reduction_ = Reduction::Max;
};

} // namespace bitlens

// SPDX-License-Identifier: MIT
#pragma once

#include <QSize>
#include <QVector>
#include <QWidget>
#include <span>

class QCPColorMap;
class QCPColorScale;
class QCPGraph;

namespace bitlens {

class ThemedPlot;

// Original (x) against dequantized (y) value of every weight, with the y = x reference line.
// Up to kScatterPointLimit points are drawn as dots; more are binned into a density grid
// (counts per cell, empty cells transparent, logarithmic colour scale) of about two pixels of
// the widget per cell (kMinDensityCells..kMaxDensityCells a side), so millions of points draw as
// fast as a few. Resize the view before setPoints for a grid that fits its final size.
class ScatterView : public QWidget {
    Q_OBJECT
public:
    static constexpr size_t kScatterPointLimit = 20000;
    static constexpr int kMinDensityCells = 128;
    static constexpr int kMaxDensityCells = 512;

    explicit ScatterView(QWidget* parent = nullptr);

    // What the view draws, computed from the values without touching any widget: prepare() may
    // run on a worker thread, show() then runs on the GUI thread.
    struct Points {
        double low = -1;
        double high = 1;
        bool dense = false;
        int columns = 0; // density grid, when dense
        int rows = 0;
        std::vector<double> counts; // rows x columns, row-major
        QVector<double> keys;       // the dots, when not dense
        QVector<double> values;
    };
    // Pairs where either value is not finite are skipped. Throws Error when the sizes differ.
    // `densityCells` is the grid densityCells() gives for the widget's size.
    static Points prepare(std::span<const float> original, std::span<const float> dequantized,
                          QSize densityCells);
    void show(const Points& points);
    // The density grid for the widget's current size (resize the view first).
    QSize densityCells() const;
    // prepare() and show() in one step. Keeps nothing of the spans.
    void setPoints(std::span<const float> original, std::span<const float> dequantized);

    bool showsDensity() const;
    QCPGraph* scatter() const { return scatter_; }
    QCPColorMap* density() const { return density_; }
    ThemedPlot* plot() const { return plot_; }

private:
    ThemedPlot* plot_;
    QCPGraph* scatter_;
    QCPColorMap* density_;
    QCPColorScale* colorScale_;
};

} // namespace bitlens

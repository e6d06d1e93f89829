// SPDX-License-Identifier: MIT
#pragma once

#include <span>
#include <vector>

class QCPBars;
class QCPGraph;

namespace bitlens {

// Counts in equal-width bins: bin i covers [edges[i], edges[i+1]). What the histogram views plot.
struct HistogramSeries {
    std::vector<double> edges;  // counts.size() + 1 increasing, equally spaced, finite
    std::vector<double> counts; // >= 0

    bool empty() const { return counts.empty(); }
    double binWidth() const { return edges.size() < 2 ? 0.0 : edges[1] - edges[0]; }
    // Throws Error naming the problem unless the invariants above hold (an empty series passes).
    void validate() const;

    // Counts of `values` in `bins` equal bins over [low, high]; values outside are not counted,
    // a value equal to high falls in the last bin. Throws Error for a bad range or bin count.
    static HistogramSeries count(std::span<const float> values, double low, double high, int bins);
};

// The lowest value drawn on a logarithmic count axis; empty bins sit on it.
inline constexpr double kLogCountFloor = 0.5;

// One bar per bin at the bin centre, as wide as the bin. With skipEmpty, bins with a zero count
// get no bar (a log axis cannot show them).
void plotBars(QCPBars& bars, const HistogramSeries& series, bool skipEmpty);
// A step outline over the bins (one point per edge, the last repeating the last count); counts
// below `floor` are drawn at `floor`.
void plotSteps(QCPGraph& graph, const HistogramSeries& series, double floor);

} // namespace bitlens

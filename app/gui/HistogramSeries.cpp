// SPDX-License-Identifier: MIT
#include "gui/HistogramSeries.h"

#include "core/util/Error.h"

#include <QVector>
#include <algorithm>
#include <cmath>
#include <qcustomplot.h>
#include <string>

namespace bitlens {

void HistogramSeries::validate() const {
    if (counts.empty() && edges.empty())
        return;
    if (edges.size() != counts.size() + 1)
        throw Error("histogram: " + std::to_string(edges.size()) + " edges for " +
                    std::to_string(counts.size()) + " bins (need bins + 1)");
    const double width = binWidth();
    if (!std::isfinite(edges.front()) || !std::isfinite(edges.back()) || !(width > 0))
        throw Error("histogram: edges must be finite and increasing");
    for (size_t i = 1; i < edges.size(); ++i) {
        const double step = edges[i] - edges[i - 1];
        if (!(std::abs(step - width) <= 1e-6 * width))
            throw Error("histogram: bins must have equal widths (bin " + std::to_string(i - 1) +
                        ")");
    }
    for (double c : counts)
        if (!(c >= 0) || !std::isfinite(c))
            throw Error("histogram: counts must be finite and not negative");
}

HistogramSeries HistogramSeries::count(std::span<const float> values, double low, double high,
                                       int bins) {
    if (!(low < high) || !std::isfinite(low) || !std::isfinite(high))
        throw Error("histogram: range must be finite with low < high");
    if (bins < 1 || bins > (1 << 20))
        throw Error("histogram: bin count " + std::to_string(bins) + " is not in 1..2^20");
    HistogramSeries series;
    series.edges.resize(size_t(bins) + 1);
    const double width = (high - low) / bins;
    for (int i = 0; i <= bins; ++i)
        series.edges[size_t(i)] = low + i * width;
    series.edges.back() = high;
    series.counts.assign(size_t(bins), 0.0);
    for (float value : values) {
        if (!(value >= low && value <= high))
            continue;
        const auto bin = std::min(int((value - low) / width), bins - 1);
        series.counts[size_t(bin)] += 1;
    }
    return series;
}

void plotBars(QCPBars& bars, const HistogramSeries& series, bool skipEmpty) {
    QVector<double> keys;
    QVector<double> values;
    keys.reserve(qsizetype(series.counts.size()));
    values.reserve(qsizetype(series.counts.size()));
    for (size_t i = 0; i < series.counts.size(); ++i) {
        if (skipEmpty && series.counts[i] <= 0)
            continue;
        keys.push_back(0.5 * (series.edges[i] + series.edges[i + 1]));
        values.push_back(series.counts[i]);
    }
    bars.setWidthType(QCPBars::wtPlotCoords);
    bars.setWidth(series.binWidth());
    bars.setData(keys, values, true);
}

void plotSteps(QCPGraph& graph, const HistogramSeries& series, double floor) {
    QVector<double> keys;
    QVector<double> values;
    if (!series.empty()) {
        for (size_t i = 0; i < series.counts.size(); ++i) {
            keys.push_back(series.edges[i]);
            values.push_back(std::max(series.counts[i], floor));
        }
        keys.push_back(series.edges.back());
        values.push_back(values.back());
    }
    graph.setLineStyle(QCPGraph::lsStepLeft);
    graph.setData(keys, values, true);
}

} // namespace bitlens

// SPDX-License-Identifier: MIT
#pragma once

#include "gui/HistogramSeries.h"

#include <QList>
#include <QWidget>
#include <optional>
#include <utility>
#include <vector>

class QCheckBox;
class QCPBars;
class QCPGraph;
class QCPItemRect;
class QCPItemStraightLine;

namespace bitlens {

class IndexStepper;
class ThemedPlot;

// The weight distribution of one tensor: original counts as bars, the dequantized distribution
// as a semi-transparent step outline over the same bins, the format's representable levels as
// thin vertical lines and the clipping range shaded. Linear or logarithmic counts; x zooms and
// pans with the mouse. Holds copies of what it is given, nothing else.
class HistogramView : public QWidget {
    Q_OBJECT
public:
    explicit HistogramView(QWidget* parent = nullptr);

    // Throws Error (HistogramSeries::validate) for a malformed series; an empty series clears.
    void setOriginal(const HistogramSeries& series);
    // Same bins as the original (Error otherwise); an empty series removes the overlay.
    void setDequantized(const HistogramSeries& series);
    // The values the format can represent (for a grouped format: those of the selected group),
    // e.g. BlockInspection::levels; non-finite values and duplicates draw no line. Lines come
    // in increasing order.
    void setLevels(const std::vector<float>& levels);
    // Values outside [low, high] are clipped by the format (the ends may come in either order);
    // nullopt hides the marks.
    void setClipRange(std::optional<std::pair<double, double>> range);
    // Groups of a grouped format; the stepper is hidden for one group or none.
    void setGroupCount(int count);
    void setCurrentGroup(int group);
    void setLogCounts(bool logarithmic);
    bool logCounts() const;
    // Shows the whole histogram again after zooming or panning.
    void resetZoom();

    // The plotted series, for callers and tests.
    QCPBars* originalBars() const { return originalBars_; }
    QCPGraph* dequantizedSteps() const { return dequantizedSteps_; }
    const QList<QCPItemStraightLine*>& levelLines() const { return levelLines_; }
    const QList<QCPItemStraightLine*>& clipLines() const { return clipLines_; }
    // The shaded bands left of low and right of high; they end at the visible x range.
    const QList<QCPItemRect*>& clipShades() const { return clipShades_; }
    ThemedPlot* plot() const { return plot_; }

signals:
    // The user asked for another group (0-based) of a grouped format.
    void groupRequested(int group);
    void logCountsChanged(bool logarithmic);

private:
    void replotSeries();
    void rescaleCounts();
    void fitClipShades();
    void clearItems(QList<QCPItemStraightLine*>& lines);

    ThemedPlot* plot_;
    QCheckBox* logToggle_;
    IndexStepper* groupStepper_;
    QCPBars* originalBars_;
    QCPGraph* dequantizedSteps_;
    QList<QCPItemStraightLine*> levelLines_;
    QList<QCPItemStraightLine*> clipLines_;
    QList<QCPItemRect*> clipShades_;
    HistogramSeries original_;
    HistogramSeries dequantized_;
};

} // namespace bitlens

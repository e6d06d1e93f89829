// SPDX-License-Identifier: MIT
#pragma once

#include "gui/QuantResult.h"

#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QStringList>
#include <memory>
#include <string>
#include <vector>

class QLabel;
class QLineEdit;
class QWidget;

namespace bitlens {
class BlockInspector;
class CompareView;
class ErrorHeatMap;
class ErrorHistogramView;
class Format;
class HistogramView;
class ScatterView;
} // namespace bitlens

namespace bitlens::app {

// The plots of the selected tensor, each in a panel with a caption line that names what is shown
// or says why nothing is: the weight histogram with the format's levels and clipping range of
// the chosen group and the dequantized distribution, the error histogram, original against
// dequantized, the error heat map, the block inspector and the format comparison. It keeps the
// shown result (to step through groups and blocks) and nothing else. The panels are made here
// and placed by the window.
class TensorViews : public QObject {
    Q_OBJECT
public:
    static constexpr int kErrorBins = 101;

    explicit TensorViews(QObject* parent = nullptr);
    ~TensorViews() override;

    // Fills every view but the comparison from this result; group and block 0 are shown. The
    // plot data (histograms, density grid, heat-map grid: passes over every value) is prepared
    // on a worker thread, so a 100M-value tensor does not freeze the window; resultShown()
    // follows once the views show it. A newer showResult() or showMessage() replaces a result
    // still being prepared.
    void showResult(const SharedQuantResult& result);
    // Empties the views and shows the message in every caption (a failure, the reason a tensor
    // is kept, "Quantizing…").
    void showMessage(const QString& message);
    // The comparison of one tensor in several formats (error histograms over shared bins).
    void showComparison(const QString& tensorName, const QList<SharedQuantResult>& results,
                        const QStringList& failures);
    void showComparisonMessage(const QString& message);
    // Shows group (and block) `group` of the shown result: histogram levels and clip range,
    // block inspector table.
    void showGroup(int group);

    SharedQuantResult shownResult() const { return result_; }
    // The format ids typed in the comparison panel, in order.
    std::vector<std::string> comparisonFormats() const;

    QWidget* histogramPanel() const { return histogramPanel_; }
    QWidget* errorPanel() const { return errorPanel_; }
    QWidget* scatterPanel() const { return scatterPanel_; }
    QWidget* heatMapPanel() const { return heatMapPanel_; }
    QWidget* blockPanel() const { return blockPanel_; }
    QWidget* comparePanel() const { return comparePanel_; }
    // Every panel, for the window to place (panels without a parent are deleted with this).
    QList<QWidget*> panels() const;

    HistogramView* histogram() const { return histogram_; }
    ErrorHistogramView* errorHistogram() const { return errorHistogram_; }
    ScatterView* scatter() const { return scatter_; }
    ErrorHeatMap* heatMap() const { return heatMap_; }
    BlockInspector* blockInspector() const { return blockInspector_; }
    CompareView* compareView() const { return compareView_; }
    QString caption() const;

signals:
    // The user pressed Compare (or Return in the format list).
    void compareRequested();
    // The views show the result of showResult() for this tensor (or why they cannot).
    void resultShown(int tensorIndex);

private:
    struct Prepared;
    void setCaptions(const QString& text);
    void applyResult(const SharedQuantResult& result, const Prepared& prepared);

    SharedQuantResult result_;
    int generation_ = 0; // of the latest showResult()/showMessage(): older preparations are dropped
    std::shared_ptr<const Format> format_;
    QList<QLabel*> captions_;
    QLabel* compareCaption_;
    QLineEdit* compareFormats_;
    HistogramView* histogram_;
    ErrorHistogramView* errorHistogram_;
    ScatterView* scatter_;
    ErrorHeatMap* heatMap_;
    BlockInspector* blockInspector_;
    CompareView* compareView_;
    QPointer<QWidget> histogramPanel_;
    QPointer<QWidget> errorPanel_;
    QPointer<QWidget> scatterPanel_;
    QPointer<QWidget> heatMapPanel_;
    QPointer<QWidget> blockPanel_;
    QPointer<QWidget> comparePanel_;
};

} // namespace bitlens::app

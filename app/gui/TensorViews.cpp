// SPDX-License-Identifier: MIT
#include "gui/TensorViews.h"

#include "core/metrics/Histogram.h"
#include "core/quant/FormatRegistry.h"
#include "gui/BlockInspector.h"
#include "gui/CompareView.h"
#include "gui/ErrorHeatMap.h"
#include "gui/ErrorHistogram.h"
#include "gui/ErrorHistogramView.h"
#include "gui/HistogramView.h"
#include "gui/InspectBlock.h"
#include "gui/ScatterView.h"

#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QRegularExpression>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>
#include <algorithm>
#include <cmath>
#include <limits>

namespace bitlens::app {
namespace {

const QString kDefaultComparison = QStringLiteral("q8_0, q4_0, int4-g32-sym, nf4, mxfp4");

QLabel* makeCaption() {
    auto* caption = new QLabel;
    caption->setObjectName(QStringLiteral("viewCaption"));
    caption->setWordWrap(true);
    caption->setTextInteractionFlags(Qt::TextSelectableByMouse);
    return caption;
}

// A panel: the caption line above the view.
QWidget* makePanel(const QString& objectName, QLabel* caption, QWidget* view,
                   QWidget* controls = nullptr) {
    auto* panel = new QWidget;
    panel->setObjectName(objectName);
    auto* layout = new QVBoxLayout(panel);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(caption);
    if (controls)
        layout->addWidget(controls);
    layout->addWidget(view, 1);
    return panel;
}

// Largest |dequantized - original| of the results, 1 when every one is exact (the bins need a
// non-empty range).
double errorLimit(const QList<SharedQuantResult>& results) {
    double limit = 0;
    for (const SharedQuantResult& result : results)
        limit = std::max(limit, result->quantized.metrics.maxAbsError);
    return limit > 0 && std::isfinite(limit) ? limit : 1.0;
}

QString metricsText(const ErrorMetrics& metrics) {
    const QString sqnr = std::isinf(metrics.sqnrDb)
                             ? TensorViews::tr("exact")
                             : TensorViews::tr("%1 dB").arg(metrics.sqnrDb, 0, 'f', 2);
    return TensorViews::tr("rel. RMSE %1 · SQNR %2 · cosine %3")
        .arg(metrics.relativeRmse, 0, 'g', 4)
        .arg(sqnr)
        .arg(metrics.cosine, 0, 'f', 6);
}

} // namespace

TensorViews::TensorViews(QObject* parent)
    : QObject(parent), compareCaption_(makeCaption()), compareFormats_(new QLineEdit),
      histogram_(new HistogramView), errorHistogram_(new ErrorHistogramView),
      scatter_(new ScatterView), heatMap_(new ErrorHeatMap), blockInspector_(new BlockInspector),
      compareView_(new CompareView) {
    for (int i = 0; i < 5; ++i)
        captions_.append(makeCaption());
    histogramPanel_ = makePanel(QStringLiteral("histogramPanel"), captions_[0], histogram_);
    errorPanel_ = makePanel(QStringLiteral("errorPanel"), captions_[1], errorHistogram_);
    scatterPanel_ = makePanel(QStringLiteral("scatterPanel"), captions_[2], scatter_);
    heatMapPanel_ = makePanel(QStringLiteral("heatMapPanel"), captions_[3], heatMap_);
    blockPanel_ = makePanel(QStringLiteral("blockPanel"), captions_[4], blockInspector_);

    compareFormats_->setObjectName(QStringLiteral("compareFormats"));
    compareFormats_->setText(kDefaultComparison);
    compareFormats_->setToolTip(tr("Format ids to compare, separated by commas or spaces"));
    auto* compareButton = new QPushButton(tr("Compare"));
    compareButton->setObjectName(QStringLiteral("compareButton"));
    auto* controls = new QWidget;
    auto* controlsLayout = new QHBoxLayout(controls);
    controlsLayout->setContentsMargins(0, 0, 0, 0);
    controlsLayout->addWidget(new QLabel(tr("Formats")));
    controlsLayout->addWidget(compareFormats_, 1);
    controlsLayout->addWidget(compareButton);
    comparePanel_ =
        makePanel(QStringLiteral("comparePanel"), compareCaption_, compareView_, controls);
    connect(compareButton, &QPushButton::clicked, this, &TensorViews::compareRequested);
    connect(compareFormats_, &QLineEdit::returnPressed, this, &TensorViews::compareRequested);

    connect(histogram_, &HistogramView::groupRequested, this, &TensorViews::showGroup);
    connect(blockInspector_, &BlockInspector::blockRequested, this, &TensorViews::showGroup);
    showMessage(tr("Select a tensor to see its distribution and quantization error."));
    showComparisonMessage(tr("Select a tensor, list formats and press Compare."));
}

TensorViews::~TensorViews() {
    for (QWidget* panel : panels())
        if (!panel->parent())
            delete panel;
}

QList<QWidget*> TensorViews::panels() const {
    QList<QWidget*> all;
    for (const QPointer<QWidget>& panel :
         {histogramPanel_, errorPanel_, scatterPanel_, heatMapPanel_, blockPanel_, comparePanel_})
        if (panel)
            all.append(panel);
    return all;
}

QString TensorViews::caption() const {
    return captions_.first()->text();
}

std::vector<std::string> TensorViews::comparisonFormats() const {
    std::vector<std::string> ids;
    const QStringList parts = compareFormats_->text().split(
        QRegularExpression(QStringLiteral("[,\\s]+")), Qt::SkipEmptyParts);
    for (const QString& part : parts)
        if (std::find(ids.begin(), ids.end(), part.toStdString()) == ids.end())
            ids.push_back(part.toStdString());
    return ids;
}

void TensorViews::setCaptions(const QString& text) {
    for (QLabel* caption : captions_)
        caption->setText(text);
}

void TensorViews::showMessage(const QString& message) {
    ++generation_;
    result_.reset();
    format_.reset();
    histogram_->setOriginal({});
    histogram_->setLevels({});
    histogram_->setClipRange(std::nullopt);
    histogram_->setGroupCount(0);
    errorHistogram_->setErrorHistogram({});
    scatter_->setPoints({}, {});
    heatMap_->setMatrix({}, {}, {});
    blockInspector_->setBlockCount(0);
    blockInspector_->setBlock({});
    setCaptions(message);
}

// The plot data of one result: every pass over all of its values, done off the GUI thread.
struct TensorViews::Prepared {
    HistogramSeries original;
    HistogramSeries dequantized;
    ErrorHistogram errors;
    ScatterView::Points points;
    ErrorHeatMap::Grid grid;
    QString error; // when preparing failed
};

void TensorViews::showResult(const SharedQuantResult& result) {
    const int generation = ++generation_;
    const TensorInfo& tensor = result->checkpoint->tensors()[size_t(result->tensorIndex)];
    setCaptions(
        tr("Preparing the plots of %1 in %2…")
            .arg(QString::fromStdString(tensor.name), QString::fromStdString(result->formatId())));
    auto* watcher = new QFutureWatcher<std::shared_ptr<Prepared>>(this);
    connect(watcher, &QFutureWatcher<std::shared_ptr<Prepared>>::finished, this,
            [this, watcher, generation, result] {
                watcher->deleteLater();
                if (generation != generation_)
                    return; // a newer result or message owns the views
                const std::shared_ptr<Prepared> prepared = watcher->result();
                if (!prepared->error.isEmpty())
                    showMessage(prepared->error);
                else
                    applyResult(result, *prepared);
                emit resultShown(result->tensorIndex);
            });
    watcher->setFuture(QtConcurrent::run(
        [result, cells = scatter_->densityCells()]() -> std::shared_ptr<Prepared> {
            auto prepared = std::make_shared<Prepared>();
            try {
                const std::vector<float>& original = result->original;
                const std::vector<float>& dequantized = result->quantized.dequantized;
                // Bins as core chooses them (symmetric over the weights, Freedman-Diaconis
                // width); the dequantized values are counted in the same bins.
                const HistogramBins bins = chooseHistogramBins(original);
                prepared->original =
                    HistogramSeries::count(original, bins.low, bins.high, int(bins.count));
                prepared->dequantized =
                    HistogramSeries::count(dequantized, bins.low, bins.high, int(bins.count));
                prepared->errors = bitlens::errorHistogram(original, dequantized,
                                                           errorLimit({result}), kErrorBins);
                prepared->points = ScatterView::prepare(original, dequantized, cells);
                prepared->grid =
                    ErrorHeatMap::reduce(original, dequantized, result->quantized.shape);
            } catch (const std::exception& error) {
                prepared->error = QString::fromUtf8(error.what());
            }
            return prepared;
        }));
}

void TensorViews::applyResult(const SharedQuantResult& result, const Prepared& prepared) {
    result_ = result;
    format_ = makeFormat(result->formatId());
    histogram_->setOriginal(prepared.original);
    histogram_->setDequantized(prepared.dequantized);
    histogram_->resetZoom();
    errorHistogram_->setErrorHistogram(prepared.errors);
    scatter_->show(prepared.points);
    heatMap_->setGrid(prepared.grid, result->quantized.shape);
    const int groups = int(std::min<uint64_t>(
        inspectableBlockCount(*format_, result->quantized.shape), std::numeric_limits<int>::max()));
    histogram_->setGroupCount(groups);
    blockInspector_->setBlockCount(groups);
    showGroup(0);

    const TensorInfo& tensor = result->checkpoint->tensors()[size_t(result->tensorIndex)];
    setCaptions(tr("%1 · %2 on %3 · %4")
                    .arg(QString::fromStdString(tensor.name),
                         QString::fromStdString(result->formatId()),
                         QString::fromStdString(result->backendName),
                         metricsText(result->quantized.metrics)));
}

void TensorViews::showGroup(int group) {
    if (!result_)
        return;
    histogram_->setCurrentGroup(group);
    blockInspector_->setCurrentBlock(group);
    const std::optional<BlockInspection> block =
        inspectBlock(*format_, result_->original, result_->quantized.packed,
                     result_->quantized.shape, uint64_t(group));
    if (!block) {
        histogram_->setLevels({});
        histogram_->setClipRange(std::nullopt);
        blockInspector_->setBlock({{},
                                   {},
                                   {},
                                   tr("%1 does not describe its blocks: no levels or codes to show")
                                       .arg(QString::fromStdString(format_->id())),
                                   {}});
        return;
    }
    histogram_->setLevels(block->levels);
    float low = std::numeric_limits<float>::infinity();
    float high = -low;
    for (float level : block->levels)
        if (std::isfinite(level)) {
            low = std::min(low, level);
            high = std::max(high, level);
        }
    histogram_->setClipRange(low <= high ? std::optional(std::pair{double(low), double(high)})
                                         : std::nullopt);
    blockInspector_->setBlock(*block);
}

void TensorViews::showComparison(const QString& tensorName, const QList<SharedQuantResult>& results,
                                 const QStringList& failures) {
    const double limit = errorLimit(results);
    std::vector<FormatComparison> rows;
    for (const SharedQuantResult& result : results) {
        FormatComparison row;
        row.formatId = QString::fromStdString(result->formatId());
        row.packedBytes = result->quantized.packed.size();
        row.bitsPerWeight = double(row.packedBytes) * 8.0 / double(result->original.size());
        row.metrics = result->quantized.metrics;
        row.errorHistogram = bitlens::errorHistogram(
                                 result->original, result->quantized.dequantized, limit, kErrorBins)
                                 .histogram;
        rows.push_back(std::move(row));
    }
    compareView_->setComparison(tensorName, rows);
    compareCaption_->setText(failures.isEmpty()
                                 ? tr("%1 in %n format(s)", "", int(rows.size())).arg(tensorName)
                                 : failures.join(QLatin1Char('\n')));
}

void TensorViews::showComparisonMessage(const QString& message) {
    compareView_->setComparison({}, {});
    compareCaption_->setText(message);
}

} // namespace bitlens::app

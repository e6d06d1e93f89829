// SPDX-License-Identifier: MIT
#include "core/quant/FormatRegistry.h"
#include "core/util/Error.h"
#include "gui/BlockInspector.h"
#include "gui/CompareView.h"
#include "gui/ErrorHeatMap.h"
#include "gui/ErrorHistogramView.h"
#include "gui/HistogramView.h"
#include "gui/IndexStepper.h"
#include "gui/InspectBlock.h"
#include "gui/LayerChart.h"
#include "gui/ScatterView.h"
#include "gui/ThemedPlot.h"

#include <QLabel>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableWidget>
#include <QTest>
#include <cmath>
#include <limits>
#include <qcustomplot.h>
#include <random>

using namespace bitlens;

namespace {

HistogramSeries series(std::vector<double> edges, std::vector<double> counts) {
    return {std::move(edges), std::move(counts)};
}

std::vector<double> keysOf(const QCPBars* bars) {
    std::vector<double> keys;
    for (auto it = bars->data()->constBegin(); it != bars->data()->constEnd(); ++it)
        keys.push_back(it->key);
    return keys;
}

std::vector<double> valuesOf(const QCPBars* bars) {
    std::vector<double> values;
    for (auto it = bars->data()->constBegin(); it != bars->data()->constEnd(); ++it)
        values.push_back(it->value);
    return values;
}

double lineKey(const QCPItemStraightLine* line) {
    return line->point1->key();
}

QString cellText(const QTableWidget* table, int row, int column) {
    return table->item(row, column)->text();
}

} // namespace

class PlotViewsTest : public QObject {
    Q_OBJECT
private slots:
    void histogramBarsAtBinCentres();
    void histogramLogToggleSkipsEmptyBins();
    void histogramLevelAndClipLines();
    void histogramRejectsBadSeries();
    void histogramGroupStepper();
    void errorHistogramMarksMeanAndRmse();
    void scatterDrawsFewPointsAsDots();
    void scatterBinsManyPointsIntoDensityGrid();
    void heatMapShowsOutlierRow_data();
    void heatMapShowsOutlierRow();
    void heatMapCapsLargeMatrices();
    void layerChartBarsPerFormat();
    void layerChartClickEmitsTensorIndex();
    void compareViewRowsAndSteps();
    void compareViewRejectsUnsharedBins();
    void blockInspectorShowsQ4_0Block();
    void blockInspectorQ8_0SecondRow();
    void blockInspectorInt4FromBlockCodes();
    void formatColoursAreStable();
};

void PlotViewsTest::histogramBarsAtBinCentres() {
    HistogramView view;
    view.setOriginal(series({-2, -1, 0, 1, 2}, {3, 0, 5, 1}));
    QCOMPARE(keysOf(view.originalBars()), (std::vector<double>{-1.5, -0.5, 0.5, 1.5}));
    QCOMPARE(valuesOf(view.originalBars()), (std::vector<double>{3, 0, 5, 1}));
    QCOMPARE(view.originalBars()->width(), 1.0);
    QVERIFY(!view.dequantizedSteps()->visible());

    view.setDequantized(series({-2, -1, 0, 1, 2}, {0, 4, 4, 1}));
    QVERIFY(view.dequantizedSteps()->visible());
    // One point per edge; the last repeats the last count so the final step is drawn.
    QCOMPARE(view.dequantizedSteps()->data()->size(), 5);
    QCOMPARE(view.dequantizedSteps()->data()->at(1)->value, 4.0);
    QCOMPARE(view.dequantizedSteps()->data()->at(4)->key, 2.0);
    QCOMPARE(view.dequantizedSteps()->data()->at(4)->value, 1.0);
    QCOMPARE(view.plot()->xAxis->range().lower < -2.0, true);
    QCOMPARE(view.plot()->yAxis->range().upper, 5 * 1.05);
}

void PlotViewsTest::histogramLogToggleSkipsEmptyBins() {
    HistogramView view;
    QSignalSpy toggled(&view, &HistogramView::logCountsChanged);
    view.setOriginal(series({0, 1, 2, 3, 4}, {3, 0, 5, 1000}));
    view.setDequantized(series({0, 1, 2, 3, 4}, {0, 8, 0, 1001}));
    QCOMPARE(view.plot()->yAxis->scaleType(), QCPAxis::stLinear);

    view.setLogCounts(true);
    QCOMPARE(toggled.count(), 1);
    QCOMPARE(view.plot()->yAxis->scaleType(), QCPAxis::stLogarithmic);
    QVERIFY(view.plot()->yAxis->ticker().dynamicCast<QCPAxisTickerLog>());
    QCOMPARE(keysOf(view.originalBars()), (std::vector<double>{0.5, 2.5, 3.5}));
    QCOMPARE(view.originalBars()->baseValue(), kLogCountFloor);
    QCOMPARE(view.dequantizedSteps()->data()->at(0)->value, kLogCountFloor);
    QCOMPARE(view.plot()->yAxis->range().lower, kLogCountFloor);
    QCOMPARE(view.plot()->yAxis->range().upper, 2002.0);

    view.setLogCounts(false);
    QCOMPARE(view.plot()->yAxis->scaleType(), QCPAxis::stLinear);
    QCOMPARE(view.originalBars()->data()->size(), 4);
    QCOMPARE(view.dequantizedSteps()->data()->at(0)->value, 0.0);
}

void PlotViewsTest::histogramLevelAndClipLines() {
    HistogramView view;
    view.setOriginal(series({-1, 0, 1}, {2, 2}));
    const int itemsBefore = view.plot()->itemCount();
    view.setLevels({-0.75f, -0.25f, 0.25f, 0.75f});
    QCOMPARE(view.levelLines().size(), 4);
    QCOMPARE(lineKey(view.levelLines()[0]), -0.75);
    QCOMPARE(lineKey(view.levelLines()[3]), 0.75);
    QCOMPARE(view.plot()->itemCount(), itemsBefore + 4);

    // Codes that decode to NaN/inf, and -0 next to +0, draw no (extra) line.
    view.setLevels({0.5f, std::numeric_limits<float>::quiet_NaN(), -0.0f, 0.0f,
                    std::numeric_limits<float>::infinity()});
    QCOMPARE(view.levelLines().size(), 2);
    QCOMPARE(lineKey(view.levelLines()[0]), 0.0);
    QCOMPARE(lineKey(view.levelLines()[1]), 0.5);
    QCOMPARE(view.plot()->itemCount(), itemsBefore + 2);
    view.setLevels({0.5f});
    QCOMPARE(view.levelLines().size(), 1);
    QCOMPARE(lineKey(view.levelLines()[0]), 0.5);
    QCOMPARE(view.plot()->itemCount(), itemsBefore + 1);

    view.setClipRange(std::pair{-0.8, 0.9});
    QCOMPARE(view.clipLines().size(), 2);
    QCOMPARE(lineKey(view.clipLines()[0]), -0.8);
    QCOMPARE(lineKey(view.clipLines()[1]), 0.9);
    QCOMPARE(view.plot()->itemCount(), itemsBefore + 1 + 2 + 2); // lines and shaded bands
    view.setClipRange(std::pair{0.9, -0.8}); // a negative scale gives the ends reversed
    QCOMPARE(lineKey(view.clipLines()[0]), -0.8);
    QCOMPARE(lineKey(view.clipLines()[1]), 0.9);
    QCOMPARE(view.clipShades().size(), 2);
    const QCPRange visible = view.plot()->xAxis->range();
    QCOMPARE(view.clipShades()[0]->topLeft->key(), visible.lower);
    QCOMPARE(view.clipShades()[0]->bottomRight->key(), -0.8);
    QCOMPARE(view.clipShades()[1]->topLeft->key(), 0.9);
    QCOMPARE(view.clipShades()[1]->bottomRight->key(), visible.upper);
    view.plot()->xAxis->setRange(-5, 7); // zooming out stretches the bands to the new edges
    QCOMPARE(view.clipShades()[0]->topLeft->key(), -5.0);
    QCOMPARE(view.clipShades()[1]->bottomRight->key(), 7.0);
    view.setClipRange(std::nullopt);
    QVERIFY(view.clipLines().isEmpty());
    QCOMPARE(view.plot()->itemCount(), itemsBefore + 1);
}

void PlotViewsTest::histogramRejectsBadSeries() {
    HistogramView view;
    QVERIFY_THROWS_EXCEPTION(Error, view.setOriginal(series({0, 1, 2}, {1})));
    QVERIFY_THROWS_EXCEPTION(Error, view.setOriginal(series({0, 1, 3}, {1, 1})));
    QVERIFY_THROWS_EXCEPTION(Error, view.setOriginal(series({0, 1, 2}, {1, -1})));
    view.setOriginal(series({0, 1, 2}, {1, 1}));
    QVERIFY_THROWS_EXCEPTION(Error, view.setDequantized(series({0, 2, 4}, {1, 1})));
    QCOMPARE(view.originalBars()->data()->size(), 2);
}

void PlotViewsTest::histogramGroupStepper() {
    HistogramView view;
    auto* stepper = view.findChild<IndexStepper*>();
    QVERIFY(stepper);
    QSignalSpy requested(&view, &HistogramView::groupRequested);
    view.setGroupCount(1);
    QVERIFY(stepper->isHidden());
    view.setGroupCount(4);
    QVERIFY(!stepper->isHidden());
    view.setCurrentGroup(1);
    QCOMPARE(requested.count(), 0); // programmatic changes do not echo
    auto* spin = stepper->findChild<QSpinBox*>();
    QCOMPARE(spin->value(), 2);
    QCOMPARE(spin->suffix(), QStringLiteral(" of 4"));
    spin->setValue(4);
    QCOMPARE(requested.count(), 1);
    QCOMPARE(requested.at(0).at(0).toInt(), 3);
    view.setCurrentGroup(9);
    QCOMPARE(stepper->currentIndex(), 3);
}

void PlotViewsTest::errorHistogramMarksMeanAndRmse() {
    const std::vector<float> original{0, 0, 0, 0};
    const std::vector<float> dequantized{0.15f, -0.15f, 0.15f, 0.35f};
    const ErrorHistogram errors = errorHistogram(original, dequantized, 0.4, 8);
    QCOMPARE(errors.histogram.counts, (std::vector<double>{0, 0, 1, 0, 0, 2, 0, 1}));
    QVERIFY(std::abs(errors.mean - 0.125) < 1e-7);
    QVERIFY(std::abs(errors.rmse - std::sqrt(0.0475)) < 1e-7);
    QCOMPARE(maxAbsError(original, dequantized), double(0.35f));

    ErrorHistogramView view;
    view.setErrorHistogram(errors);
    QCOMPARE(view.bars()->data()->size(), 8);
    QCOMPARE(lineKey(view.meanLine()), errors.mean);
    QCOMPARE(lineKey(view.rmseLines()[0]), -errors.rmse);
    QCOMPARE(lineKey(view.rmseLines()[1]), errors.rmse);
    QVERIFY(view.meanLine()->visible());
    QVERIFY_THROWS_EXCEPTION(Error, errorHistogram(original, std::vector<float>{0.0f}, 1, 4));
}

void PlotViewsTest::scatterDrawsFewPointsAsDots() {
    ScatterView view;
    std::vector<float> original{-1, 0, 0.5f, std::numeric_limits<float>::quiet_NaN(), 2};
    std::vector<float> dequantized{-1, 0.1f, 0.5f, 1, 2.5f};
    view.setPoints(original, dequantized);
    QVERIFY(!view.showsDensity());
    QCOMPARE(view.scatter()->data()->size(), 4); // the NaN pair is skipped
    QCOMPARE(view.scatter()->data()->at(1)->key, 0.0);
    QCOMPARE(view.scatter()->data()->at(1)->value, double(0.1f));
    QVERIFY_THROWS_EXCEPTION(Error, view.setPoints(original, std::vector<float>{1.0f}));
}

void PlotViewsTest::scatterBinsManyPointsIntoDensityGrid() {
    std::mt19937 random(7);
    std::normal_distribution<float> normal(0, 1);
    const size_t n = 200000;
    std::vector<float> original(n);
    std::vector<float> dequantized(n);
    for (size_t i = 0; i < n; ++i) {
        original[i] = normal(random);
        dequantized[i] = std::round(original[i] * 4) / 4;
    }
    original[10] = std::numeric_limits<float>::infinity();
    ScatterView view;
    view.resize(600, 500);
    view.setPoints(original, dequantized);
    QVERIFY(view.showsDensity());
    QCOMPARE(view.scatter()->data()->size(), 0);
    const QCPColorMapData* grid = view.density()->data();
    QCOMPARE(grid->keySize(), 300); // two pixels of the widget per cell
    QCOMPARE(grid->valueSize(), 250);
    double sum = 0;
    int emptyCells = 0;
    for (int x = 0; x < grid->keySize(); ++x)
        for (int y = 0; y < grid->valueSize(); ++y) {
            const double count = const_cast<QCPColorMapData*>(grid)->cell(x, y);
            if (std::isnan(count))
                ++emptyCells;
            else
                sum += count;
        }
    QCOMPARE(sum, double(n - 1));
    QVERIFY(emptyCells > 0); // dequantized values sit on a few rows of cells
}

void PlotViewsTest::heatMapShowsOutlierRow_data() {
    QTest::addColumn<int>("reduction");
    QTest::newRow("max") << int(ErrorHeatMap::Reduction::Max);
    QTest::newRow("mean") << int(ErrorHeatMap::Reduction::Mean);
}

void PlotViewsTest::heatMapShowsOutlierRow() {
    QFETCH(int, reduction);
    const MatrixShape shape{64, 32};
    std::vector<float> original(shape.elements());
    std::vector<float> dequantized(shape.elements());
    for (size_t i = 0; i < original.size(); ++i) {
        original[i] = float(i % 7) * 0.1f;
        const bool outlier = i / shape.rowLength == 17;
        dequantized[i] = original[i] + (outlier ? 1.0f : 0.01f * float(i % 3));
    }
    ErrorHeatMap view;
    view.resize(700, 600);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.setReduction(ErrorHeatMap::Reduction(reduction));
    view.setMatrix(original, dequantized, shape);
    view.plot()->replot();
    QCPColorMapData* grid = view.colorMap()->data();
    QCOMPARE(grid->keySize(), 32); // the axis rect has more pixels than the matrix has cells
    QCOMPARE(grid->valueSize(), 64);
    for (int column = 0; column < 32; ++column)
        for (int row = 0; row < 64; ++row) {
            const double cell = grid->cell(column, row);
            if (row == 17)
                QVERIFY2(std::abs(cell - 1.0) < 1e-5, qPrintable(QString::number(cell)));
            else
                QVERIFY2(cell < 0.03, qPrintable(QString::number(cell)));
        }
    QCOMPARE(view.plot()->yAxis->rangeReversed(), true);
    QCOMPARE(view.plot()->xAxis->label(), QStringLiteral("input (column)"));
    QCOMPARE(view.plot()->yAxis->label(), QStringLiteral("output channel (row)"));
    QVERIFY_THROWS_EXCEPTION(Error, view.setMatrix(original, dequantized, {64, 31}));
}

void PlotViewsTest::heatMapCapsLargeMatrices() {
    const MatrixShape shape{2000, 1500};
    std::vector<float> original(shape.elements(), 0.0f);
    std::vector<float> dequantized(shape.elements(), 0.001f);
    for (uint64_t column = 0; column < shape.rowLength; ++column)
        dequantized[1234 * shape.rowLength + column] = 0.5f; // one outlier channel
    ErrorHeatMap view;
    view.resize(400, 300);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.setMatrix(original, dequantized, shape);
    view.plot()->replot();
    QCPColorMapData* grid = view.colorMap()->data();
    const QRect pixels = view.plot()->axisRect()->rect();
    QCOMPARE(grid->keySize(), std::min(pixels.width(), ErrorHeatMap::kMaxGridCells));
    QCOMPARE(grid->valueSize(), std::min(pixels.height(), ErrorHeatMap::kMaxGridCells));
    // Row 1234 lands in source cell 1234 * 512 / 2000 = 315, shown cell 315 * rows / 512.
    const int outlierRow = 315 * grid->valueSize() / 512;
    for (int row = 0; row < grid->valueSize(); ++row)
        QCOMPARE(grid->cell(0, row), row == outlierRow ? double(0.5f) : double(0.001f));
    QCOMPARE(grid->valueRange().upper, 2000 - 1000.0 / grid->valueSize());
}

void PlotViewsTest::layerChartBarsPerFormat() {
    LayerChart chart;
    chart.setEntries({{"tok_embeddings", "q8_0", 0.01, 40, 8.5},
                      {"wq", "q4_0", 0.1, 20, 4.5},
                      {"wk", "q8_0", 0.02, std::numeric_limits<double>::infinity(), 8.5},
                      {"output", "int4-g128", 0.08, 22, 4.25}});
    QCOMPARE(chart.formatBars().size(), 3);
    QCOMPARE(chart.formatBars()[0]->name(), QStringLiteral("q8_0"));
    QCOMPARE(keysOf(chart.formatBars()[0]), (std::vector<double>{0, 2}));
    QCOMPARE(valuesOf(chart.formatBars()[0]), (std::vector<double>{0.01, 0.02}));
    QCOMPARE(keysOf(chart.formatBars()[2]), (std::vector<double>{3}));
    QCOMPARE(chart.formatBars()[1]->brush().color(), formatColor("q4_0"));
    QCOMPARE(chart.plot()->legend->itemCount(), 3);

    chart.setMetric(LayerMetric::SqnrDb);
    QCOMPARE(keysOf(chart.formatBars()[0]), (std::vector<double>{0})); // +inf dB gets no bar
    QCOMPARE(chart.plot()->yAxis->label(), QStringLiteral("SQNR (dB)"));
    chart.setMetric(LayerMetric::BitsPerWeight);
    QCOMPARE(valuesOf(chart.formatBars()[0]), (std::vector<double>{8.5, 8.5}));
    QCOMPARE(valuesOf(chart.formatBars()[2]), (std::vector<double>{4.25}));
}

void PlotViewsTest::layerChartClickEmitsTensorIndex() {
    LayerChart chart;
    chart.setEntries(
        {{"a", "q8_0", 0.01, 40, 8.5}, {"b", "q4_0", 0.1, 20, 4.5}, {"c", "q8_0", 0.02, 38, 8.5}});
    QSignalSpy clicked(&chart, &LayerChart::tensorClicked);
    QVERIFY(!chart.selectionBand()->visible());
    emit chart.plot()->plottableClick(chart.formatBars()[0], 1, nullptr);
    QCOMPARE(clicked.count(), 1);
    QCOMPARE(clicked.at(0).at(0).toInt(), 2);
    QCOMPARE(chart.selectedTensor(), 2);
    QVERIFY(chart.selectionBand()->visible());
    QCOMPARE(chart.selectionBand()->topLeft->key(), 1.5);
    QCOMPARE(chart.selectionBand()->bottomRight->key(), 2.5);
    emit chart.plot()->plottableClick(chart.formatBars()[1], 0, nullptr);
    QCOMPARE(clicked.at(1).at(0).toInt(), 1);
    emit chart.plot()->plottableClick(chart.formatBars()[1], 5, nullptr); // no such bar
    QCOMPARE(clicked.count(), 2);
    chart.setEntries({{"a", "q8_0", 0.01, 40, 8.5}});
    QCOMPARE(chart.selectedTensor(), -1);
}

void PlotViewsTest::compareViewRowsAndSteps() {
    const std::vector<float> original{0.1f, -0.5f, 0.25f, 0.9f};
    const std::vector<float> coarse{0, -0.5f, 0.5f, 1.0f};
    const std::vector<float> fine{0.125f, -0.5f, 0.25f, 0.875f};
    const double limit = std::max(maxAbsError(original, coarse), maxAbsError(original, fine));
    FormatComparison a{"int2", 2.5, 100, {}, errorHistogram(original, coarse, limit, 10).histogram};
    a.metrics.relativeRmse = 0.25;
    a.metrics.sqnrDb = 12.345;
    a.metrics.cosine = 0.97;
    a.metrics.maxAbsError = limit;
    FormatComparison b{"int8", 8.25, 330, {}, errorHistogram(original, fine, limit, 10).histogram};
    b.metrics.sqnrDb = std::numeric_limits<double>::infinity();
    CompareView view;
    view.setComparison("layers.0.wq", {a, b});
    QTableWidget* table = view.table();
    QCOMPARE(table->rowCount(), 2);
    QCOMPARE(cellText(table, 0, CompareView::FormatColumn), QStringLiteral("int2"));
    QCOMPARE(cellText(table, 0, CompareView::BitsColumn), QStringLiteral("2.500"));
    QCOMPARE(cellText(table, 0, CompareView::BytesColumn), QStringLiteral("100"));
    QCOMPARE(cellText(table, 0, CompareView::RelativeRmseColumn), QStringLiteral("0.25"));
    QCOMPARE(cellText(table, 0, CompareView::SqnrColumn), QStringLiteral("12.35"));
    QCOMPARE(cellText(table, 0, CompareView::CosineColumn), QStringLiteral("0.970000"));
    QCOMPARE(cellText(table, 1, CompareView::FormatColumn), QStringLiteral("int8"));
    QCOMPARE(cellText(table, 1, CompareView::SqnrColumn), QStringLiteral("exact"));
    QCOMPARE(view.errorSteps().size(), 2);
    QCOMPARE(view.errorSteps()[1]->name(), QStringLiteral("int8"));
    QCOMPARE(view.errorSteps()[0]->data()->size(), 11);
    double coarseTotal = 0;
    for (int i = 0; i < 10; ++i)
        coarseTotal += view.errorSteps()[0]->data()->at(i)->value;
    QCOMPARE(coarseTotal, 4.0);

    view.setComparison("layers.0.wk", {b});
    QCOMPARE(table->rowCount(), 1);
    QCOMPARE(view.errorSteps().size(), 1);
    QCOMPARE(view.plot()->graphCount(), 1);
}

void PlotViewsTest::compareViewRejectsUnsharedBins() {
    FormatComparison a{"int2", 2.5, 100, {}, HistogramSeries::count({}, -1, 1, 10)};
    FormatComparison b{"int8", 8.25, 330, {}, HistogramSeries::count({}, -1, 1, 20)};
    CompareView view;
    QVERIFY_THROWS_EXCEPTION(Error, view.setComparison("t", {a, b}));
}

void PlotViewsTest::blockInspectorShowsQ4_0Block() {
    // Value k of each half block is (k - 8) / 2 (+0.1 except for the extreme -4): Q4_0 takes
    // d = -4 / -8 = 0.5 and stores code k.
    std::vector<float> values(32);
    for (int i = 0; i < 32; ++i) {
        const int k = i % 16;
        values[size_t(i)] = float(k - 8) * 0.5f + (k == 0 ? 0.0f : 0.1f);
    }
    const auto format = makeFormat("q4_0");
    const MatrixShape shape{1, 32};
    std::vector<std::byte> packed(format->packedBytes(shape));
    format->quantize(values, shape, packed);
    std::vector<float> reference(32);
    format->dequantize(packed, shape, reference);

    QCOMPARE(inspectableBlockCount(*format, shape), uint64_t(1));
    const auto block = inspectBlock(*format, values, packed, shape, 0);
    QVERIFY(block.has_value());
    QCOMPARE(block->dequantized, reference);
    BlockInspector inspector;
    QSignalSpy requested(&inspector, &BlockInspector::blockRequested);
    inspector.setBlockCount(3);
    inspector.setBlock(*block);
    QTableWidget* table = inspector.table();
    QCOMPARE(table->rowCount(), 32);
    for (int i = 0; i < 32; ++i) {
        const int k = i % 16;
        QCOMPARE(cellText(table, i, BlockInspector::IndexColumn), QString::number(i));
        QCOMPARE(cellText(table, i, BlockInspector::CodeColumn), QString::number(k));
        QCOMPARE(cellText(table, i, BlockInspector::DequantizedColumn),
                 QString::number(double(k - 8) * 0.5));
        QCOMPARE(cellText(table, i, BlockInspector::ValueColumn),
                 QString::number(values[size_t(i)], 'g', 7));
    }
    QCOMPARE(cellText(table, 0, BlockInspector::ErrorColumn), QStringLiteral("0"));
    QCOMPARE(cellText(table, 1, BlockInspector::ErrorColumn), QStringLiteral("-0.1"));
    QVERIFY(inspector.scaleLabel()->text().startsWith(QStringLiteral("d = 0.5 (fp16)")));

    inspector.findChild<QSpinBox*>()->setValue(2);
    QCOMPARE(requested.count(), 1);
    QCOMPARE(requested.at(0).at(0).toInt(), 1);
    QVERIFY_THROWS_EXCEPTION(Error, inspector.setBlock({{1, 2}, {1}, {1, 2}, {}, {}}));
    QVERIFY_THROWS_EXCEPTION(Error, inspectBlock(*format, values, packed, shape, 1));
    QVERIFY_THROWS_EXCEPTION(Error, inspectBlock(*format, values, packed, {2, 32}, 0));
}

void PlotViewsTest::blockInspectorQ8_0SecondRow() {
    const auto format = makeFormat("q8_0");
    const MatrixShape shape{2, 64};
    std::vector<float> values(shape.elements());
    for (size_t i = 0; i < values.size(); ++i)
        values[i] = std::sin(float(i) * 0.37f) * (i / 64 == 1 ? 3.0f : 1.0f);
    std::vector<std::byte> packed(format->packedBytes(shape));
    format->quantize(values, shape, packed);
    std::vector<float> reference(shape.elements());
    format->dequantize(packed, shape, reference);
    QCOMPARE(inspectableBlockCount(*format, shape), uint64_t(4));
    const auto block = inspectBlock(*format, values, packed, shape, 3); // row 1, second block
    QVERIFY(block.has_value());
    QCOMPARE(block->values, std::vector<float>(values.begin() + 96, values.end()));
    QCOMPARE(block->dequantized, std::vector<float>(reference.begin() + 96, reference.end()));
    int extremes = 0;
    for (int64_t code : block->codes) {
        QVERIFY(code >= -127 && code <= 127);
        extremes += std::abs(code) == 127;
    }
    QVERIFY(extremes >= 1); // the values of largest magnitude take code +-127
    QVERIFY(!inspectBlock(*makeFormat("q4_k"), std::vector<float>(256),
                          std::vector<std::byte>(makeFormat("q4_k")->packedBytes({1, 256})),
                          {1, 256}, 0));
}

void PlotViewsTest::blockInspectorInt4FromBlockCodes() {
    // Row 0 of each block: k / 2 (+0.1 inside the range), row 1 the negatives (-0.1 inside).
    // int4 asym with groups of 16: scale 7.5 / 15 = 0.5; zero 0 for row 0 and 15 for row 1.
    const MatrixShape shape{2, 32};
    std::vector<float> values(shape.elements());
    for (size_t i = 0; i < values.size(); ++i) {
        const int k = int(i % 16);
        const float inside = k == 0 || k == 15 ? 0.0f : 0.1f;
        values[i] = i < 32 ? float(k) * 0.5f + inside : -float(k) * 0.5f - inside;
    }
    const auto format = makeFormat("int4-g16-asym");
    std::vector<std::byte> packed(format->packedBytes(shape));
    format->quantize(values, shape, packed);
    std::vector<float> reference(shape.elements());
    format->dequantize(packed, shape, reference);
    QCOMPARE(inspectableBlockCount(*format, shape), uint64_t(4));

    const auto block = inspectBlock(*format, values, packed, shape, 3); // row 1, second group
    QVERIFY(block.has_value());
    QCOMPARE(block->values, std::vector<float>(values.begin() + 48, values.end()));
    QCOMPARE(block->dequantized, std::vector<float>(reference.begin() + 48, reference.end()));
    QCOMPARE(block->levels.size(), size_t(16));
    QCOMPARE(block->levels.front(), -7.5f);
    QCOMPARE(block->levels.back(), 0.0f);
    BlockInspector inspector;
    inspector.setBlock(*block);
    QTableWidget* table = inspector.table();
    QCOMPARE(table->rowCount(), 16);
    for (int k = 0; k < 16; ++k) {
        QCOMPARE(cellText(table, k, BlockInspector::CodeColumn), QString::number(15 - k));
        QCOMPARE(cellText(table, k, BlockInspector::DequantizedColumn),
                 QString::number(-double(k) * 0.5));
    }
    QCOMPARE(cellText(table, 3, BlockInspector::ErrorColumn), QStringLiteral("0.1"));
    QCOMPARE(inspector.scaleLabel()->text(), QStringLiteral("scale = 0.5;  zero = 15"));

    const auto first = inspectBlock(*format, values, packed, shape, 0);
    QCOMPARE(first->codes,
             (std::vector<int64_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}));
}

void PlotViewsTest::formatColoursAreStable() {
    QCOMPARE(formatColor("q4_0"), formatColor(QStringLiteral("q4_0")));
    QVERIFY(formatColor("q4_0") != formatColor("q8_0"));
    QVERIFY(formatColor("q4_0").isValid());
}

QTEST_MAIN(PlotViewsTest)
#include "tst_plotviews.moc"

// SPDX-License-Identifier: MIT
// Renders every plot view with synthetic data offscreen to PNG (QWidget::grab) so that a
// developer can look at them: the files go to $BITLENS_VIEWS_DEMO_DIR when it is set, otherwise
// to a temporary folder that is removed. Checks that each image was drawn and is not blank.
#include "core/quant/FormatRegistry.h"
#include "gui/BlockInspector.h"
#include "gui/CompareView.h"
#include "gui/ErrorHeatMap.h"
#include "gui/ErrorHistogramView.h"
#include "gui/HistogramView.h"
#include "gui/InspectBlock.h"
#include "gui/LayerChart.h"
#include "gui/ScatterView.h"

#include <QDir>
#include <QImage>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>
#include <algorithm>
#include <cmath>
#include <random>

using namespace bitlens;

namespace {

// A weight matrix like a trained layer: normal values, a few outlier input columns and one
// output channel with a larger scale.
std::vector<float> syntheticWeights(MatrixShape shape, uint32_t seed) {
    std::mt19937 random(seed);
    std::normal_distribution<float> normal(0.0f, 0.02f);
    std::vector<float> weights(shape.elements());
    for (uint64_t row = 0; row < shape.rows; ++row)
        for (uint64_t column = 0; column < shape.rowLength; ++column) {
            float value = normal(random);
            if (column % 97 == 5)
                value *= 6;
            if (row == shape.rows / 3)
                value *= 4;
            weights[row * shape.rowLength + column] = value;
        }
    return weights;
}

struct Quantized {
    std::vector<std::byte> packed;
    std::vector<float> dequantized;
};

Quantized quantize(const Format& format, std::span<const float> weights, MatrixShape shape) {
    Quantized result{std::vector<std::byte>(format.packedBytes(shape)),
                     std::vector<float>(shape.elements())};
    format.quantize(weights, shape, result.packed);
    format.dequantize(result.packed, shape, result.dequantized);
    return result;
}

HistogramSeries countIn(std::span<const float> values, const HistogramSeries& bins) {
    return HistogramSeries::count(values, bins.edges.front(), bins.edges.back(),
                                  int(bins.counts.size()));
}

} // namespace

class ViewsDemoTest : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void renderEveryView();

private:
    void save(QWidget& view, const QString& name);

    QTemporaryDir temporary_;
    QDir folder_;
};

void ViewsDemoTest::initTestCase() {
    const QString requested = qEnvironmentVariable("BITLENS_VIEWS_DEMO_DIR");
    if (requested.isEmpty()) {
        QVERIFY(temporary_.isValid());
        folder_ = QDir(temporary_.path());
    } else {
        QVERIFY(QDir().mkpath(requested));
        folder_ = QDir(requested);
    }
}

void ViewsDemoTest::save(QWidget& view, const QString& name) {
    view.resize(900, 560);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QCoreApplication::processEvents();
    const QImage image = view.grab().toImage();
    QVERIFY(!image.isNull());
    QSet<QRgb> colours;
    for (int y = 0; y < image.height(); y += 7)
        for (int x = 0; x < image.width(); x += 7)
            colours.insert(image.pixel(x, y));
    QVERIFY2(colours.size() > 8, qPrintable(name + " looks blank"));
    const QString path = folder_.filePath(name + QStringLiteral(".png"));
    QVERIFY2(image.save(path), qPrintable(path));
    qInfo("%s", qPrintable(path));
}

void ViewsDemoTest::renderEveryView() {
    const MatrixShape shape{288, 512};
    const std::vector<float> weights = syntheticWeights(shape, 42);
    const auto q4 = makeFormat("q4_0");
    const auto q8 = makeFormat("q8_0");
    const Quantized fourBit = quantize(*q4, weights, shape);
    const Quantized eightBit = quantize(*q8, weights, shape);

    const float largest =
        std::abs(*std::max_element(weights.begin(), weights.end(),
                                   [](float a, float b) { return std::abs(a) < std::abs(b); }));
    const HistogramSeries original = HistogramSeries::count(weights, -largest, largest, 160);

    const auto firstBlock = inspectBlock(*q4, weights, fourBit.packed, shape, 0);
    QVERIFY(firstBlock);
    const auto [lowest, highest] =
        std::minmax_element(firstBlock->levels.begin(), firstBlock->levels.end());
    HistogramView histogram;
    histogram.setOriginal(original);
    histogram.setDequantized(countIn(fourBit.dequantized, original));
    histogram.setLevels(firstBlock->levels);
    histogram.setClipRange(std::pair{double(*lowest), double(*highest)});
    histogram.setGroupCount(int(inspectableBlockCount(*q4, shape)));
    save(histogram, QStringLiteral("histogram"));
    histogram.setLogCounts(true);
    save(histogram, QStringLiteral("histogram-log"));

    const double limit = std::max(maxAbsError(weights, fourBit.dequantized),
                                  maxAbsError(weights, eightBit.dequantized));
    ErrorHistogramView errors;
    errors.setErrorHistogram(errorHistogram(weights, fourBit.dequantized, limit, 120));
    save(errors, QStringLiteral("error-histogram"));

    ScatterView scatter;
    scatter.resize(900, 560);
    scatter.setPoints(weights, fourBit.dequantized);
    save(scatter, QStringLiteral("scatter-density"));
    ScatterView fewPoints;
    fewPoints.setPoints(std::span(weights).first(3000), std::span(fourBit.dequantized).first(3000));
    save(fewPoints, QStringLiteral("scatter-dots"));

    ErrorHeatMap heatMap;
    heatMap.setMatrix(weights, fourBit.dequantized, shape);
    save(heatMap, QStringLiteral("heatmap-max"));
    heatMap.setReduction(ErrorHeatMap::Reduction::Mean);
    save(heatMap, QStringLiteral("heatmap-mean"));

    LayerChart chart;
    std::vector<LayerChartEntry> entries;
    const QStringList formats{"q8_0", "q4_0", "q4_0", "q4_0", "q6_k", "q4_0", "q8_0"};
    for (int i = 0; i < formats.size(); ++i)
        entries.push_back({QStringLiteral("layers.%1.w").arg(i), formats[i],
                           formats[i] == "q8_0"   ? 0.004
                           : formats[i] == "q6_k" ? 0.02
                                                  : 0.09 + 0.01 * i,
                           formats[i] == "q8_0" ? 47.0 : 21.0, formats[i] == "q8_0" ? 8.5 : 4.5});
    chart.setEntries(entries);
    chart.setSelectedTensor(3);
    save(chart, QStringLiteral("layer-chart"));

    CompareView compare;
    std::vector<FormatComparison> rows;
    for (const auto& [format, result] : {std::pair{q4, &fourBit}, std::pair{q8, &eightBit}}) {
        FormatComparison row;
        row.formatId = QString::fromStdString(format->id());
        row.bitsPerWeight = format->bitsPerWeight(shape);
        row.packedBytes = format->packedBytes(shape);
        ErrorAccumulator accumulator;
        accumulator.add(weights, result->dequantized);
        row.metrics = accumulator.finish();
        row.errorHistogram = errorHistogram(weights, result->dequantized, limit, 120).histogram;
        rows.push_back(row);
    }
    compare.setComparison(QStringLiteral("synthetic 288 x 512"), rows);
    save(compare, QStringLiteral("compare"));

    BlockInspector inspector;
    inspector.setBlockCount(int(inspectableBlockCount(*q4, shape)));
    inspector.setBlock(*firstBlock);
    save(inspector, QStringLiteral("block-inspector"));
}

QTEST_MAIN(ViewsDemoTest)
#include "tst_viewsdemo.moc"

// SPDX-License-Identifier: MIT
// The main window's plots of the selected tensor, the layer chart, Quantize All and setRecipe,
// checked on the data they plot (not pixels) for stories260K's blk.0.attn_q.weight.
#include "common/SafetensorsFile.h"
#include "common/TestData.h"
#include "core/backend/CpuBackend.h"
#include "core/quant/FormatRegistry.h"
#include "core/tensor/FloatBits.h"
#include "gui/BlockInspector.h"
#include "gui/CheckpointDocument.h"
#include "gui/ErrorHeatMap.h"
#include "gui/ErrorHistogramView.h"
#include "gui/HistogramView.h"
#include "gui/LayerChart.h"
#include "gui/MainWindow.h"
#include "gui/QuantController.h"
#include "gui/QuantWorker.h"
#include "gui/ScatterView.h"
#include "gui/TensorViews.h"
#include "gui/ThemedPlot.h"

#include <QAction>
#include <QLabel>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <functional>
#include <qcustomplot.h>

using namespace bitlens;
using namespace bitlens::app;

namespace {

constexpr int kAttnQ = 2; // blk.0.attn_q.weight, 64 x 64
const MatrixShape kAttnQShape{64, 64};

double barTotal(const QCPBars& bars) {
    double total = 0;
    for (auto bar = bars.data()->constBegin(); bar != bars.data()->constEnd(); ++bar)
        total += bar->value;
    return total;
}

std::vector<double> lineKeys(const QList<QCPItemStraightLine*>& lines) {
    std::vector<double> keys;
    for (const QCPItemStraightLine* line : lines)
        keys.push_back(line->point1->key());
    return keys;
}

std::vector<double> distinctFinite(const std::vector<float>& values) {
    std::vector<double> levels;
    for (float level : values)
        if (std::isfinite(level))
            levels.push_back(level);
    std::sort(levels.begin(), levels.end());
    levels.erase(std::unique(levels.begin(), levels.end()), levels.end());
    return levels;
}

QuantizedTensor quantizeAttnQ(const Checkpoint& checkpoint, const Format& format) {
    std::vector<float> values(kAttnQShape.elements());
    checkpoint.readMatrixRows(kAttnQ, 0, kAttnQShape.rows, values.data());
    return CpuBackend(1).quantize(values, kAttnQShape, format, nullptr);
}

// q8_0's levels of block `block` of row `row`: code x d for every code -128..127, with d the
// block's fp16 scale (ggml's block_q8_0: d, then 32 codes).
std::vector<double> q8Levels(const Checkpoint& checkpoint, uint64_t row, uint64_t block) {
    const auto format = makeFormat("q8_0");
    const QuantizedTensor quantized = quantizeAttnQ(checkpoint, *format);
    const size_t offset = size_t(row * 2 + block) * 34;
    const float d = halfToFloat(uint16_t(uint16_t(quantized.packed[offset]) |
                                         uint16_t(uint16_t(quantized.packed[offset + 1]) << 8)));
    std::vector<float> levels;
    for (int code = -128; code < 128; ++code)
        levels.push_back(float(code) * d);
    return distinctFinite(levels);
}

// The levels Format::blockCodes gives for block `block` of row `row`.
std::vector<double> blockCodeLevels(const Checkpoint& checkpoint, const std::string& formatId,
                                    uint64_t row, uint64_t block) {
    const auto format = makeFormat(formatId);
    const QuantizedTensor quantized = quantizeAttnQ(checkpoint, *format);
    const auto codes = format->blockCodes(quantized.packed, kAttnQShape, row, block);
    return codes ? distinctFinite(codes->levels) : std::vector<double>{};
}

class StudioFixture {
public:
    StudioFixture() : shown_(&window_, &MainWindow::selectionShown) {}

    // Opens the file and waits until the first tensor is shown.
    bool open(const QString& path) {
        return showsAfter([&] { window_.openPath(path); });
    }
    // Makes table row `tensorIndex` current and waits until the views show it.
    bool select(int tensorIndex) {
        auto* table = window_.findChild<QTableView*>("tensorTable");
        return showsAfter([&] { table->setCurrentIndex(table->model()->index(tensorIndex, 0)); }) &&
               shown_.last().at(0).toInt() == tensorIndex;
    }
    // Runs `action` and waits until the views show something (at once for a kept tensor).
    bool showsAfter(const std::function<void()>& action) {
        shown_.clear();
        action();
        return shown_.count() > 0 || shown_.wait(30000);
    }
    MainWindow& window() { return window_; }
    TensorViews& views() { return *window_.tensorViews(); }

private:
    MainWindow window_;
    QSignalSpy shown_;
};

} // namespace

class TestStudioViews : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName("BitLensTest");
        QCoreApplication::setApplicationName("tst_studioviews");
        QSettings().clear();
    }

    void viewsPlotTheSelectedTensor() {
        BITLENS_REQUIRE_SHARED_DATA();
        StudioFixture studio;
        QVERIFY(studio.open(test::sharedDataPath("llama2c/stories260K.bin")));
        // The first tensor, token_embd.weight (512 x 64), in q8_0.
        QVERIFY(studio.views().shownResult());
        QCOMPARE(studio.views().shownResult()->tensorIndex, 0);
        QCOMPARE(barTotal(*studio.views().histogram()->originalBars()), 512.0 * 64.0);
        QVERIFY(studio.select(kAttnQ));
        TensorViews& views = studio.views();
        const SharedQuantResult result = views.shownResult();
        QVERIFY(result);
        QCOMPARE(result->formatId(), std::string("q8_0"));
        QVERIFY(views.caption().contains("blk.0.attn_q.weight"));

        // Weight histogram: every value in a bar, the dequantized outline over the same bins.
        HistogramView* histogram = views.histogram();
        QCOMPARE(barTotal(*histogram->originalBars()), 4096.0);
        QVERIFY(histogram->dequantizedSteps()->data()->size() > 0);
        // Levels and clipping range of group 0 (row 0, block 0), then of group 5 (row 2, block 1).
        const auto checkpoint = studio.window().document()->checkpoint();
        std::vector<double> levels = q8Levels(*checkpoint, 0, 0);
        QCOMPARE(levels.size(), size_t(256));
        QCOMPARE(lineKeys(histogram->levelLines()), levels);
        QCOMPARE(lineKeys(histogram->clipLines()),
                 (std::vector<double>{levels.front(), levels.back()}));
        views.showGroup(5);
        levels = q8Levels(*checkpoint, 2, 1);
        QCOMPARE(lineKeys(histogram->levelLines()), levels);
        QCOMPARE(lineKeys(histogram->clipLines()),
                 (std::vector<double>{levels.front(), levels.back()}));

        // Block inspector: block 5 is values 32..63 of row 2.
        QTableWidget* block = views.blockInspector()->table();
        QCOMPARE(block->rowCount(), 32);
        QCOMPARE(block->item(0, BlockInspector::ValueColumn)->text(),
                 QString::number(result->original[2 * 64 + 32], 'g', 7));

        // Error histogram, scatter and heat map over all 4096 values.
        QCOMPARE(barTotal(*views.errorHistogram()->bars()), 4096.0);
        QVERIFY(!views.scatter()->showsDensity());
        QCOMPARE(views.scatter()->scatter()->data()->size(), 4096);
        const QCPColorMapData* cells = views.heatMap()->colorMap()->data();
        QVERIFY(cells->keySize() >= 1 && cells->keySize() <= 64);
        QVERIFY(cells->valueSize() >= 1 && cells->valueSize() <= 64);
        QCOMPARE(views.heatMap()->plot()->xAxis->range().upper, 64.0);
        QCOMPARE(views.heatMap()->plot()->yAxis->range().upper, 64.0);
    }

    void keptTensorShowsTheReason() {
        BITLENS_REQUIRE_SHARED_DATA();
        StudioFixture studio;
        QVERIFY(studio.open(test::sharedDataPath("llama2c/stories260K.bin")));
        QVERIFY(studio.select(1)); // blk.0.attn_norm.weight, 1-D
        QVERIFY(!studio.views().shownResult());
        QVERIFY2(studio.views().caption().contains("kept"), qPrintable(studio.views().caption()));
        QVERIFY(studio.views().histogram()->originalBars()->data()->isEmpty());
        QVERIFY(studio.select(8)); // blk.0.ffn_down.weight: rows of 172 do not fit q8_0
        QVERIFY2(studio.views().caption().contains("172"), qPrintable(studio.views().caption()));
    }

    void failureReplacesStalePlots() {
        QTemporaryDir dir;
        const QString path = dir.filePath("model.safetensors");
        // F16 bytes k % 251: the first 64 are small numbers, element 124 onwards holds inf/NaN.
        QVERIFY(test::writeSafetensors(path, {{"good", "F16", {2, 32}}, {"bad", "F16", {8, 256}}}));
        StudioFixture studio;
        QVERIFY(studio.open(path));
        QVERIFY(studio.views().shownResult());
        QVERIFY(!studio.views().histogram()->originalBars()->data()->isEmpty());
        QVERIFY(studio.select(1));
        QVERIFY(!studio.views().shownResult());
        QVERIFY(studio.views().histogram()->originalBars()->data()->isEmpty());
        QVERIFY(studio.views().scatter()->scatter()->data()->isEmpty());
        QVERIFY2(studio.views().caption().contains("non-finite"),
                 qPrintable(studio.views().caption()));
    }

    void setRecipeRecomputesTheSelection() {
        BITLENS_REQUIRE_SHARED_DATA();
        StudioFixture studio;
        QVERIFY(studio.open(test::sharedDataPath("llama2c/stories260K.bin")));
        QVERIFY(studio.select(kAttnQ));
        const double q8Error = studio.views().shownResult()->quantized.metrics.relativeRmse;
        QVERIFY(
            studio.showsAfter([&] { studio.window().setRecipe(Recipe::singleFormat("q4_0")); }));
        QCOMPARE(studio.views().shownResult()->formatId(), std::string("q4_0"));
        QVERIFY(studio.views().shownResult()->quantized.metrics.relativeRmse > q8Error);
        QCOMPARE(studio.views().histogram()->levelLines().size(), qsizetype(16));
        // A format with Format::blockCodes: the levels of group 3 (row 1, block 1 of 2).
        QVERIFY(studio.showsAfter(
            [&] { studio.window().setRecipe(Recipe::singleFormat("int4-g32-asym")); }));
        studio.views().showGroup(3);
        const std::vector<double> levels =
            blockCodeLevels(*studio.window().document()->checkpoint(), "int4-g32-asym", 1, 1);
        QCOMPARE(levels.size(), size_t(16));
        QCOMPARE(lineKeys(studio.views().histogram()->levelLines()), levels);
        QCOMPARE(lineKeys(studio.views().histogram()->clipLines()),
                 (std::vector<double>{levels.front(), levels.back()}));
        // Back to q8_0: from the cache.
        const quint64 computed = studio.window().quantController()->worker().computations();
        QVERIFY(
            studio.showsAfter([&] { studio.window().setRecipe(Recipe::singleFormat("q8_0")); }));
        QCOMPARE(studio.views().shownResult()->formatId(), std::string("q8_0"));
        QCOMPARE(studio.window().quantController()->worker().computations(), computed);
    }

    void quantizeAllFillsTheLayerChart() {
        BITLENS_REQUIRE_SHARED_DATA();
        StudioFixture studio;
        QVERIFY(studio.open(test::sharedDataPath("llama2c/stories260K.bin")));
        auto* action = studio.window().findChild<QAction*>("quantizeAllAction");
        QVERIFY(action);
        QCOMPARE(action->shortcut(), QKeySequence(Qt::CTRL | Qt::Key_R));
        QSignalSpy finished(studio.window().quantController(),
                            &QuantController::quantizeAllFinished);
        QSignalSpy reported(&studio.window(), &MainWindow::tensorQuantized);
        action->trigger();
        QVERIFY(studio.window()
                    .findChild<QPushButton*>("cancelQuantizeAll")
                    ->isVisibleTo(&studio.window()));
        QVERIFY(finished.wait(60000));
        QCOMPARE(finished.first().at(0).toInt(), 31);
        QVERIFY(reported.count() >= 30); // the first tensor's came with its selection
        QVERIFY(!studio.window()
                     .findChild<QPushButton*>("cancelQuantizeAll")
                     ->isVisibleTo(&studio.window()));

        // One bar per tensor: 31 q8_0 bars with their relative RMSE, the 16 kept at 0.
        LayerChart* chart = studio.window().layerChart();
        int q8Bars = 0, keptBars = 0;
        for (QCPBars* bars : chart->formatBars()) {
            if (bars->name() == "q8_0")
                q8Bars = bars->data()->size();
            if (bars->name() == "keep")
                keptBars = bars->data()->size();
        }
        QCOMPARE(q8Bars, 31);
        QCOMPARE(keptBars, 16);
        const auto metrics = studio.window().quantController()->cache().metrics(
            studio.window().document()->checkpoint().get(), kAttnQ, "q8_0");
        QVERIFY(metrics);
        for (QCPBars* bars : chart->formatBars())
            if (bars->name() == "q8_0") {
                const auto bar = bars->data()->findBegin(kAttnQ, false);
                QCOMPARE(bar->key, double(kAttnQ));
                QCOMPARE(bar->value, metrics->relativeRmse);
            }

        // Clicking a bar selects that tensor's row.
        emit chart->tensorClicked(5);
        QCOMPARE(studio.window().selectedTensor(), 5);
        QCOMPARE(chart->selectedTensor(), 5);
    }

    void backendIsNamedInTheStatusBar() {
        BITLENS_REQUIRE_SHARED_DATA();
        StudioFixture studio;
        QVERIFY(studio.open(test::sharedDataPath("llama2c/stories260K.bin")));
        auto* label = studio.window().findChild<QLabel*>("backendLabel");
        QTRY_VERIFY(!label->text().isEmpty());
        const std::string backend = studio.views().shownResult()->backendName;
        QVERIFY(backend == "cpu" || backend.rfind("vulkan: ", 0) == 0);
    }
};

QTEST_MAIN(TestStudioViews)
#include "tst_studioviews.moc"

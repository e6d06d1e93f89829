// SPDX-License-Identifier: MIT
#include "common/TestData.h"
#include "core/io/CheckpointReader.h"
#include "gui/HistogramView.h"
#include "gui/MainWindow.h"
#include "gui/TensorHistogramPanel.h"

#include <QSignalSpy>
#include <QTest>
#include <qcustomplot.h>

using namespace bitlens;
using namespace bitlens::app;

namespace {

double plottedTotal(const HistogramView& view) {
    double total = 0;
    for (auto bar = view.originalBars()->data()->constBegin();
         bar != view.originalBars()->data()->constEnd(); ++bar)
        total += bar->value;
    return total;
}

} // namespace

class TestTensorHistogramPanel : public QObject {
    Q_OBJECT
private slots:
    void histogramOfARealTensor() {
        BITLENS_REQUIRE_SHARED_DATA();
        const std::shared_ptr<const Checkpoint> checkpoint = openCheckpoint(
            test::sharedDataPath(QStringLiteral("keras/mnist_mlp.h5")).toStdString());
        TensorHistogramPanel panel;
        QSignalSpy shown(&panel, &TensorHistogramPanel::tensorShown);
        panel.showTensor(checkpoint, 0);
        QVERIFY(shown.wait(10000));
        QCOMPARE(shown.takeFirst().at(0).toInt(), 0);
        // Every one of the 784 x 128 kernel values is in a bar, and the range is symmetric.
        QCOMPARE(plottedTotal(*panel.view()), 100352.0);
        const auto& bars = *panel.view()->originalBars()->data();
        QVERIFY(bars.size() >= 64);
        QVERIFY(qAbs(bars.constBegin()->key + (bars.constEnd() - 1)->key) < 1e-9);
        QVERIFY(panel.caption().contains(QStringLiteral("dense/dense/kernel:0")));
    }

    void newerRequestWins() {
        BITLENS_REQUIRE_SHARED_DATA();
        const std::shared_ptr<const Checkpoint> checkpoint = openCheckpoint(
            test::sharedDataPath(QStringLiteral("keras/mnist_mlp.h5")).toStdString());
        TensorHistogramPanel panel;
        QSignalSpy shown(&panel, &TensorHistogramPanel::tensorShown);
        panel.showTensor(checkpoint, 0);
        panel.showTensor(checkpoint, 3); // the [10] bias
        QVERIFY(shown.wait(10000));
        QTest::qWait(200); // an older result arriving late must not replace the newer one
        QCOMPARE(shown.count(), 1);
        QCOMPARE(shown.at(0).at(0).toInt(), 3);
        QCOMPARE(plottedTotal(*panel.view()), 10.0);
    }

    void mainWindowShowsTheFirstTensor() {
        BITLENS_REQUIRE_SHARED_DATA();
        QCoreApplication::setOrganizationName(QStringLiteral("BitLensTest"));
        QStandardPaths::setTestModeEnabled(true);
        MainWindow window;
        QSignalSpy shown(window.histogramPanel(), &TensorHistogramPanel::tensorShown);
        window.openPath(test::sharedDataPath(QStringLiteral("llama2c/stories260K.bin")));
        QVERIFY(shown.wait(10000));
        QCOMPARE(shown.at(0).at(0).toInt(), 0);
        QCOMPARE(plottedTotal(*window.histogramPanel()->view()), 512.0 * 64.0);
    }
};

QTEST_MAIN(TestTensorHistogramPanel)
#include "tst_tensorhistogrampanel.moc"

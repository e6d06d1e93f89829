// SPDX-License-Identifier: MIT
#include "common/IsolatedCache.h"
#include "common/TestData.h"
#include "core/io/CheckpointReader.h"
#include "core/recipe/SizePlan.h"
#include "gui/EvaluationPanel.h"
#include "gui/GenerationBox.h"

#include <QSignalSpy>
#include <QTableWidget>
#include <QTest>
#include <cmath>
#include <qcustomplot.h>

using namespace bitlens;
using namespace bitlens::app;

namespace {

std::shared_ptr<const Checkpoint> mnistModel() {
    return openCheckpoint(test::sharedDataPath(QStringLiteral("keras/mnist_mlp.h5")).toStdString());
}

void useMnistTestSet(EvaluationPanel& panel) {
    panel.setDataset(test::sharedDataPath(QStringLiteral("mnist/t10k-images-idx3-ubyte.gz")),
                     test::sharedDataPath(QStringLiteral("mnist/t10k-labels-idx1-ubyte.gz")),
                     1.0 / 255.0);
}

// Vulkan when a device exists, else the CPU with the reason shown.
bool ranOnPreferredEngine(const QString& status) {
    return status.contains(QStringLiteral("engine: vulkan: ")) ||
           (status.contains(QStringLiteral("engine: cpu")) &&
            status.contains(QStringLiteral("No Vulkan device")));
}

} // namespace

class TestEvaluationPanel : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { test::isolateCache(); }

    void evaluatesTheRecipeAndRecordsTheTradeOff() {
        BITLENS_REQUIRE_SHARED_DATA();
        const auto checkpoint = mnistModel();
        EvaluationPanel panel;
        panel.setModel(checkpoint);
        useMnistTestSet(panel);
        const Recipe recipe = Recipe::singleFormat("int4-ch-sym");
        panel.setRecipe(recipe);
        QSignalSpy evaluated(&panel, &EvaluationPanel::evaluated);
        panel.evaluate();
        QVERIFY(panel.isRunning());
        QVERIFY(evaluated.wait(120000));

        // The published figures of this model on MNIST with pixels / 255, and the CLI's
        // int4-ch-sym result (bitlens-cli eval ... --format int4-ch-sym).
        QCOMPARE(panel.history().size(), size_t(1));
        const EvaluationRecord& record = panel.history().front();
        QCOMPARE(record.originalMetric, 0.98);
        QCOMPARE(record.quantizedMetric, 0.9771);
        QCOMPARE(record.agreement, 0.9924);
        QVERIFY2(ranOnPreferredEngine(panel.statusText()), qPrintable(panel.statusText()));
        QVERIFY(record.kldMean > 0.005 && record.kldMean < 0.012);
        QCOMPARE(record.bitsPerWeight, planSizes(*checkpoint, recipe).totals.bitsPerWeight());
        QCOMPARE(panel.resultsTable()->item(0, 0)->text(), QStringLiteral("98.00 %"));
        QCOMPARE(panel.resultsTable()->item(0, 1)->text(), QStringLiteral("97.71 %"));
        QCOMPARE(panel.resultsTable()->item(0, 2)->text(), QStringLiteral("-0.29 points"));

        // A second recipe adds a second point: x = bits per weight, y = accuracy in %.
        panel.setRecipe(Recipe::singleFormat("int8-ch-sym"));
        panel.evaluate();
        QVERIFY(evaluated.wait(120000));
        QCOMPARE(panel.history().size(), size_t(2));
        const QCPGraph* points = panel.historyPlot()->pointsGraph();
        QCOMPARE(points->dataCount(), 2);
        QCOMPARE(points->data()->at(0)->value, 97.71);
        QVERIFY(points->data()->at(1)->key > points->data()->at(0)->key);
        QCOMPARE(panel.historyPlot()->originalGraph()->data()->at(0)->value, 98.0);

        // Another session on the same model and data reads the original's outputs from disk.
        EvaluationPanel next;
        next.setModel(mnistModel());
        useMnistTestSet(next);
        next.setRecipe(recipe);
        QSignalSpy nextEvaluated(&next, &EvaluationPanel::evaluated);
        next.evaluate();
        QVERIFY(nextEvaluated.wait(120000));
        QCOMPARE(next.history().front().originalMetric, 0.98);
        QCOMPARE(next.history().front().quantizedMetric, 0.9771);
        QVERIFY2(next.statusText().contains(QStringLiteral("(original from the cache)")),
                 qPrintable(next.statusText()));
    }

    void cancelRecordsNothingAndAllowsAnotherRun() {
        BITLENS_REQUIRE_SHARED_DATA();
        EvaluationPanel panel;
        panel.setModel(mnistModel());
        useMnistTestSet(panel);
        panel.setRecipe(Recipe::singleFormat("q8_0"));
        QSignalSpy cancelled(&panel, &EvaluationPanel::cancelled);
        QSignalSpy evaluated(&panel, &EvaluationPanel::evaluated);
        panel.evaluate();
        panel.cancel();
        QVERIFY(cancelled.wait(60000));
        QVERIFY(!panel.isRunning());
        QVERIFY(panel.history().empty());
        QCOMPARE(evaluated.count(), 0);
        panel.evaluate();
        QVERIFY(evaluated.wait(120000));
        QCOMPARE(panel.history().size(), size_t(1));
    }

    void languageModelPerplexityAndGeneration() {
        BITLENS_REQUIRE_SHARED_DATA();
        EvaluationPanel panel;
        panel.setModel(openCheckpoint(
            test::sharedDataPath(QStringLiteral("llama2c/stories260K.bin")).toStdString()));
        QVERIFY(panel.isLanguageModel());
        panel.setText(test::sharedDataPath(QStringLiteral("text/tinystories_val.txt")),
                      test::sharedDataPath(QStringLiteral("llama2c/tok512.bin")));
        panel.setTextWindow(256, 2);
        panel.setRecipe(Recipe::singleFormat("q8_0"));
        QSignalSpy evaluated(&panel, &EvaluationPanel::evaluated);
        panel.evaluate();
        QVERIFY(evaluated.wait(300000));
        const EvaluationRecord& record = panel.history().front();
        QCOMPARE(record.metric, EvaluationMetric::Perplexity);
        // A 260K-parameter TinyStories model: a few nats of uncertainty per token at most, and
        // q8_0 costs it well under 1% of perplexity.
        QVERIFY2(record.originalMetric > 2 && record.originalMetric < 20,
                 qPrintable(QString::number(record.originalMetric)));
        QVERIFY(std::abs(record.quantizedMetric / record.originalMetric - 1) < 0.01);
        QVERIFY(record.kldMean > 0 && record.kldMean < 0.01);
        QVERIFY(record.kldP99 >= record.kldMean);
        QVERIFY(record.agreement > 0.95 && record.agreement <= 1);
        QVERIFY2(panel.statusText().contains(QStringLiteral("n_ctx 256, 2 chunks, 254 scored")),
                 qPrintable(panel.statusText()));
        QVERIFY2(ranOnPreferredEngine(panel.statusText()), qPrintable(panel.statusText()));
        QCOMPARE(panel.historyPlot()->pointsGraph()->data()->at(0)->value, record.quantizedMetric);

        // Greedy continuation from BOS (shared/data/README.md gives the original's text).
        GenerationBox* box = panel.generationBox();
        box->setTokenCount(16);
        QSignalSpy generated(box, &GenerationBox::generated);
        box->generate();
        QVERIFY(generated.wait(120000));
        QVERIFY2(box->originalText().startsWith(QStringLiteral("Once upon a time, there was")),
                 qPrintable(box->originalText()));
        QVERIFY(!box->quantizedText().isEmpty());
        QVERIFY2(ranOnPreferredEngine(box->statusText()), qPrintable(box->statusText()));

        // Cancel leaves the shown texts as they were.
        const QString shown = box->originalText();
        box->setTokenCount(200);
        QSignalSpy cancelled(box, &GenerationBox::cancelled);
        box->generate();
        box->cancel();
        QVERIFY(cancelled.wait(120000));
        QVERIFY(!box->isRunning());
        QCOMPARE(box->originalText(), shown);
    }

    void badInputIsReportedWithTheFile() {
        BITLENS_REQUIRE_SHARED_DATA();
        EvaluationPanel panel;
        QSignalSpy failed(&panel, &EvaluationPanel::failed);
        panel.evaluate();
        QCOMPARE(failed.count(), 1); // no model yet

        panel.setModel(mnistModel());
        const QString labels =
            test::sharedDataPath(QStringLiteral("mnist/t10k-labels-idx1-ubyte.gz"));
        panel.setDataset(labels, labels, 1.0 / 255.0); // labels given as images
        panel.evaluate();
        QVERIFY(failed.wait(60000));
        const QString message = failed.last().at(0).toString();
        QVERIFY2(message.contains(QStringLiteral("t10k-labels-idx1-ubyte.gz")),
                 qPrintable(message));
        QVERIFY(panel.history().empty());

        // A safetensors MLP has no Keras description: refused with a reason, not run.
        panel.setModel(
            openCheckpoint(test::sharedDataPath(QStringLiteral("safetensors/mnist_mlp.safetensors"))
                               .toStdString()));
        QVERIFY(!panel.isLanguageModel());
        useMnistTestSet(panel);
        panel.evaluate();
        QVERIFY(failed.wait(60000));
        QVERIFY(!failed.last().at(0).toString().isEmpty());
        QVERIFY(!panel.isRunning());

        // A llama2.c model without its tokenizer file: the message says what is missing.
        panel.setModel(openCheckpoint(
            test::sharedDataPath(QStringLiteral("llama2c/stories260K.bin")).toStdString()));
        panel.setText(test::sharedDataPath(QStringLiteral("text/tinystories_val.txt")), {});
        panel.evaluate();
        QVERIFY(failed.wait(60000));
        QVERIFY2(failed.last().at(0).toString().contains(QStringLiteral("stories260K.bin")),
                 qPrintable(failed.last().at(0).toString()));
    }
};

QTEST_MAIN(TestEvaluationPanel)
#include "tst_evaluationpanel.moc"

// SPDX-License-Identifier: MIT
// The studio's background quantization: the worker thread, its lanes, the result cache and
// Quantize all, checked against the CPU reference on real and synthetic tensors.
#include "common/TestData.h"
#include "core/backend/CpuBackend.h"
#include "core/io/CheckpointReader.h"
#include "core/quant/FormatRegistry.h"
#include "core/recipe/SizePlan.h"
#include "gui/QuantController.h"
#include "gui/QuantWorker.h"
#include "gui/ResultCache.h"

#include <QSet>
#include <QSignalSpy>
#include <QTest>
#include <cmath>
#include <cstring>
#include <random>

using namespace bitlens;
using namespace bitlens::app;

namespace {

constexpr int kAttnQ = 2; // stories260K's blk.0.attn_q.weight, 64 x 64

std::shared_ptr<const Checkpoint> stories() {
    return openCheckpoint(test::sharedDataPath("llama2c/stories260K.bin").toStdString());
}

// An in-memory checkpoint of `count` F32 tensors of rows x 256 normal values.
std::shared_ptr<const Checkpoint> syntheticCheckpoint(int count, uint64_t rows) {
    const uint64_t elements = rows * 256;
    std::vector<float> values(elements * uint64_t(count));
    std::mt19937 random(7);
    std::normal_distribution<float> normal(0.0f, 0.05f);
    for (float& value : values)
        value = normal(random);
    std::vector<std::byte> bytes(values.size() * sizeof(float));
    std::memcpy(bytes.data(), values.data(), bytes.size());
    auto checkpoint = std::make_shared<Checkpoint>("synthetic", "test");
    const uint32_t file =
        checkpoint->addFile(MappedFile::fromMemory("synthetic", std::move(bytes)));
    for (int i = 0; i < count; ++i) {
        TensorInfo tensor;
        tensor.name = "layers." + std::to_string(i) + ".weight";
        tensor.shape = {rows, 256};
        tensor.fileIndex = file;
        tensor.offset = uint64_t(i) * elements * sizeof(float);
        tensor.byteSize = elements * sizeof(float);
        checkpoint->addTensor(tensor);
    }
    checkpoint->finish();
    return checkpoint;
}

bool closeRelative(double a, double b, double tolerance = 1e-6) {
    return a == b || std::abs(a - b) <= tolerance * std::max(std::abs(a), std::abs(b));
}

SharedQuantResult fakeResult(const std::shared_ptr<const Checkpoint>& checkpoint, int index,
                             const std::string& formatId, size_t values, double relativeRmse) {
    auto result = std::make_shared<QuantResult>();
    result->checkpoint = checkpoint;
    result->tensorIndex = index;
    result->original.assign(values, 1.0f);
    result->quantized.formatId = formatId;
    result->quantized.dequantized.assign(values, 1.0f);
    result->quantized.metrics.relativeRmse = relativeRmse;
    return result;
}

// Every cached result of the checkpoint is whole: all values and packed bytes of its format.
void verifyCompleteResults(ResultCache& cache, const std::shared_ptr<const Checkpoint>& checkpoint,
                           const std::string& formatId) {
    const auto format = makeFormat(formatId);
    for (size_t i = 0; i < checkpoint->tensors().size(); ++i)
        if (const SharedQuantResult result = cache.find(checkpoint.get(), int(i), formatId)) {
            const MatrixShape shape = quantizationShape(checkpoint->tensors()[i]);
            QCOMPARE(result->original.size(), shape.elements());
            QCOMPARE(result->quantized.dequantized.size(), shape.elements());
            QCOMPARE(uint64_t(result->quantized.packed.size()), format->packedBytes(shape));
            QVERIFY(cache.metrics(checkpoint.get(), int(i), formatId).has_value());
        }
}

} // namespace

class TestQuantCompute : public QObject {
    Q_OBJECT
private slots:
    void selectionMatchesCpuReference_data() {
        QTest::addColumn<QString>("formatId");
        QTest::newRow("q8_0 (Vulkan kernel)") << "q8_0";
        QTest::newRow("int4-g32-asym") << "int4-g32-asym";
        QTest::newRow("nf4 (CPU fallback)") << "nf4";
    }
    void selectionMatchesCpuReference() {
        BITLENS_REQUIRE_SHARED_DATA();
        QFETCH(QString, formatId);
        const auto checkpoint = stories();
        QuantController controller;
        QSignalSpy ready(&controller, &QuantController::selectionReady);
        QSignalSpy reported(&controller, &QuantController::tensorQuantized);
        controller.select(checkpoint, kAttnQ, formatId.toStdString());
        QVERIFY(ready.wait(30000));
        const auto result = ready.first().at(0).value<SharedQuantResult>();
        QCOMPARE(result->tensorIndex, kAttnQ);
        QCOMPARE(QString::fromStdString(result->formatId()), formatId);

        const MatrixShape shape{64, 64};
        std::vector<float> values(shape.elements());
        checkpoint->readMatrixRows(kAttnQ, 0, shape.rows, values.data());
        CpuBackend reference(1);
        const auto format = makeFormat(formatId.toStdString());
        const QuantizedTensor expected = reference.quantize(values, shape, *format, nullptr);
        QVERIFY(result->original == values);
        QVERIFY(result->quantized.packed == expected.packed);
        QVERIFY(result->quantized.dequantized == expected.dequantized);
        const ErrorMetrics& got = result->quantized.metrics;
        QVERIFY(closeRelative(got.mse, expected.metrics.mse));
        QVERIFY(closeRelative(got.relativeRmse, expected.metrics.relativeRmse));
        QVERIFY(closeRelative(got.sqnrDb, expected.metrics.sqnrDb));
        QVERIFY(closeRelative(got.cosine, expected.metrics.cosine));
        QCOMPARE(got.maxAbsError, expected.metrics.maxAbsError);
        QVERIFY(expected.metrics.relativeRmse > 0);

        QCOMPARE(reported.count(), 1);
        QCOMPARE(reported.first().at(0).toInt(), kAttnQ);
        QCOMPARE(reported.first().at(1).toString(), formatId);
        QCOMPARE(reported.first().at(2).value<ErrorMetrics>().relativeRmse, got.relativeRmse);
    }

    void cpuBackendWhenAsked() {
        BITLENS_REQUIRE_SHARED_DATA();
        QuantController controller(BackendKind::Cpu);
        QSignalSpy backend(&controller, &QuantController::backendReady);
        QSignalSpy ready(&controller, &QuantController::selectionReady);
        controller.select(stories(), kAttnQ, "q8_0");
        QVERIFY(ready.wait(30000));
        QCOMPARE(backend.count(), 1);
        QCOMPARE(backend.first().at(0).toString(), QString("cpu"));
        QVERIFY(!backend.first().at(1).toString().isEmpty());
        QCOMPARE(ready.first().at(0).value<SharedQuantResult>()->backendName, std::string("cpu"));
    }

    void newerSelectionIsTheOnlyOneDelivered() {
        BITLENS_REQUIRE_SHARED_DATA();
        const auto checkpoint = stories();
        QuantController controller;
        QSignalSpy ready(&controller, &QuantController::selectionReady);
        controller.select(checkpoint, 0, "q8_0");
        controller.select(checkpoint, kAttnQ, "q4_0");
        controller.select(checkpoint, 3, "q8_0");
        QVERIFY(ready.wait(30000));
        QTest::qWait(300); // an older result arriving late must not be delivered
        QCOMPARE(ready.count(), 1);
        QCOMPARE(ready.first().at(0).value<SharedQuantResult>()->tensorIndex, 3);
    }

    // A busy worker (a large selection) keeps lower lanes queued: a newer compare replaces the
    // queued older one, which is never computed.
    void queuedRequestIsReplaced() {
        const auto big = syntheticCheckpoint(1, 16384); // 4M values
        QuantWorker worker;
        QSignalSpy results(&worker, &QuantWorker::resultReady);
        QSignalSpy finished(&worker, &QuantWorker::laneFinished);
        worker.submit(QuantLane::Selection, {{big, 0, "int8-ch-sym"}});
        worker.submit(QuantLane::Compare, {{big, 0, "q8_0"}});
        const quint64 newer = worker.submit(QuantLane::Compare, {{big, 0, "q4_0"}});
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, 60000);
        QCOMPARE(results.count(), 2);
        QCOMPARE(worker.computations(), quint64(2));
        QStringList formats;
        for (const QList<QVariant>& result : results)
            formats.append(
                QString::fromStdString(result.at(2).value<SharedQuantResult>()->formatId()));
        QCOMPARE(formats, (QStringList{"int8-ch-sym", "q4_0"}));
        QCOMPARE(results.last().at(1).toULongLong(), newer);
    }

    void cacheHitDoesNotRecompute() {
        BITLENS_REQUIRE_SHARED_DATA();
        const auto checkpoint = stories();
        QuantController controller;
        QSignalSpy ready(&controller, &QuantController::selectionReady);
        controller.select(checkpoint, kAttnQ, "q8_0");
        QVERIFY(ready.wait(30000));
        controller.select(checkpoint, 3, "q8_0");
        QVERIFY(ready.wait(30000));
        QCOMPARE(controller.worker().computations(), quint64(2));
        controller.select(checkpoint, kAttnQ, "q8_0");
        QVERIFY(ready.wait(5000));
        QCOMPARE(controller.worker().computations(), quint64(2));
        QCOMPARE(ready.at(2).at(0).value<SharedQuantResult>(),
                 ready.at(0).at(0).value<SharedQuantResult>());
    }

    void failureCarriesTheReason() {
        BITLENS_REQUIRE_SHARED_DATA();
        QuantController controller;
        QSignalSpy failed(&controller, &QuantController::selectionFailed);
        controller.select(stories(), 8, "q4_0"); // blk.0.ffn_down: rows of 172
        QVERIFY(failed.wait(30000));
        QCOMPARE(failed.first().at(0).toInt(), 8);
        QVERIFY2(failed.first().at(2).toString().contains("172"),
                 qPrintable(failed.first().at(2).toString()));
        controller.select(stories(), kAttnQ, "no-such-format");
        QVERIFY(failed.wait(30000));
        QVERIFY(failed.last().at(2).toString().contains("no-such-format"));
    }

    void cacheEvictsLeastRecentlyUsedAndKeepsMetrics() {
        const auto checkpoint = syntheticCheckpoint(1, 1);
        const uint64_t each = fakeResult(checkpoint, 0, "q8_0", 100, 0)->memoryBytes();
        ResultCache cache(2 * each);
        cache.insert(fakeResult(checkpoint, 0, "q8_0", 100, 0.1));
        cache.insert(fakeResult(checkpoint, 1, "q8_0", 100, 0.2));
        QVERIFY(cache.find(checkpoint.get(), 0, "q8_0")); // 0 is now the most recent
        cache.insert(fakeResult(checkpoint, 2, "q8_0", 100, 0.3));
        QCOMPARE(cache.resultCount(), size_t(2));
        QCOMPARE(cache.bytes(), 2 * each);
        QVERIFY(cache.find(checkpoint.get(), 0, "q8_0"));
        QVERIFY(!cache.find(checkpoint.get(), 1, "q8_0"));
        QVERIFY(cache.find(checkpoint.get(), 2, "q8_0"));
        QCOMPARE(cache.metrics(checkpoint.get(), 1, "q8_0")->relativeRmse, 0.2);
        QVERIFY(!cache.metrics(checkpoint.get(), 1, "q4_0"));

        cache.insert(fakeResult(checkpoint, 3, "q8_0", 1000, 0.4)); // larger than the budget
        QVERIFY(!cache.find(checkpoint.get(), 3, "q8_0"));
        QCOMPARE(cache.metrics(checkpoint.get(), 3, "q8_0")->relativeRmse, 0.4);
        cache.setBudget(each);
        QCOMPARE(cache.resultCount(), size_t(1));
        cache.forget(checkpoint.get());
        QCOMPARE(cache.resultCount(), size_t(0));
        QCOMPARE(cache.bytes(), uint64_t(0));
        QVERIFY(!cache.metrics(checkpoint.get(), 0, "q8_0"));
    }

    void quantizeAllDeliversEveryPlannedTensor() {
        BITLENS_REQUIRE_SHARED_DATA();
        const auto checkpoint = stories();
        const SizePlan plan = planSizes(*checkpoint, Recipe::singleFormat("q8_0"));
        QSet<int> planned;
        for (const TensorPlan& tensor : plan.tensors)
            if (!tensor.decision.keep())
                planned.insert(int(tensor.tensorIndex));
        QCOMPARE(planned.size(), 31); // 47 tensors: 11 norms and 5 ffn_down (rows of 172) kept

        QuantController controller;
        QSignalSpy reported(&controller, &QuantController::tensorQuantized);
        QSignalSpy finished(&controller, &QuantController::quantizeAllFinished);
        QVERIFY(controller.quantizeAll(checkpoint, plan));
        QVERIFY(controller.isQuantizingAll());
        QVERIFY(!controller.quantizeAll(checkpoint, plan));
        QVERIFY(finished.wait(60000));
        QCOMPARE(finished.first(), (QList<QVariant>{31, 0, 31, false}));
        QVERIFY(!controller.isQuantizingAll());
        QSet<int> delivered;
        for (const QList<QVariant>& tensor : reported) {
            delivered.insert(tensor.at(0).toInt());
            QCOMPARE(tensor.at(1).toString(), QString("q8_0"));
        }
        QCOMPARE(delivered, planned);
        QCOMPARE(reported.count(), 31);
        QCOMPARE(controller.worker().computations(), quint64(31));
        for (int index : planned)
            QVERIFY(controller.cache().find(checkpoint.get(), index, "q8_0"));
        verifyCompleteResults(controller.cache(), checkpoint, "q8_0");

        // A second run reports the known metrics without recomputing.
        QVERIFY(controller.quantizeAll(checkpoint, plan));
        QVERIFY(finished.wait(10000));
        QCOMPARE(finished.last(), (QList<QVariant>{31, 0, 31, false}));
        QCOMPARE(reported.count(), 62);
        QCOMPARE(controller.worker().computations(), quint64(31));
    }

    void cancelLeavesAConsistentState() {
        const auto checkpoint = syntheticCheckpoint(12, 8192); // 12 tensors of 2M values
        const SizePlan plan = planSizes(*checkpoint, Recipe::singleFormat("int8-ch-sym"));
        QuantController controller;
        QSignalSpy reported(&controller, &QuantController::tensorQuantized);
        QSignalSpy finished(&controller, &QuantController::quantizeAllFinished);
        QVERIFY(controller.quantizeAll(checkpoint, plan));
        QVERIFY(reported.wait(60000));
        controller.cancelQuantizeAll();
        QVERIFY(finished.wait(60000));
        const QList<QVariant> outcome = finished.first();
        const int done = outcome.at(0).toInt();
        QCOMPARE(outcome.at(2).toInt(), 12);
        QCOMPARE(outcome.at(3).toBool(), true);
        QVERIFY2(done < 12, "the run ended before the cancel reached it");
        QCOMPARE(reported.count(), done);
        QCOMPARE(controller.worker().computations(), quint64(done));
        int withMetrics = 0;
        for (int i = 0; i < 12; ++i)
            withMetrics +=
                controller.cache().metrics(checkpoint.get(), i, "int8-ch-sym").has_value();
        QCOMPARE(withMetrics, done);
        verifyCompleteResults(controller.cache(), checkpoint, "int8-ch-sym");
        QTest::qWait(200); // nothing of the cancelled tensor arrives later
        QCOMPARE(reported.count(), done);

        QVERIFY(controller.quantizeAll(checkpoint, plan));
        QVERIFY(finished.wait(120000));
        QCOMPARE(finished.last(), (QList<QVariant>{12, 0, 12, false}));
        QCOMPARE(controller.worker().computations(), quint64(12));
        verifyCompleteResults(controller.cache(), checkpoint, "int8-ch-sym");
    }

    void compareDeliversEveryFormatInOrder() {
        BITLENS_REQUIRE_SHARED_DATA();
        const auto checkpoint = stories();
        QuantController controller;
        QSignalSpy compared(&controller, &QuantController::comparisonReady);
        controller.compare(checkpoint, kAttnQ, {"q4_0", "q8_0", "q4_k"});
        QVERIFY(compared.wait(30000));
        QCOMPARE(compared.first().at(0).toInt(), kAttnQ);
        const auto results = compared.first().at(1).value<QList<SharedQuantResult>>();
        QCOMPARE(results.size(), 2);
        QCOMPARE(results[0]->formatId(), std::string("q4_0"));
        QCOMPARE(results[1]->formatId(), std::string("q8_0"));
        QVERIFY(results[0]->quantized.metrics.relativeRmse >
                results[1]->quantized.metrics.relativeRmse);
        const QStringList failures = compared.first().at(2).toStringList();
        QCOMPARE(failures.size(), 1);
        QVERIFY2(failures[0].startsWith("q4_k: "), qPrintable(failures[0]));
    }
};

QTEST_MAIN(TestQuantCompute)
#include "tst_quantcompute.moc"

// SPDX-License-Identifier: MIT
#include "common/SyntheticCheckpoint.h"
#include "core/backend/CpuBackend.h"
#include "core/backend/QuantizeJob.h"
#include "core/quant/FormatRegistry.h"
#include "core/util/Error.h"

#include <QTemporaryDir>
#include <QTest>
#include <cmath>
#include <limits>

using namespace bitlens;

namespace {

std::vector<float> wave(uint64_t count, double frequency) {
    std::vector<float> values(count);
    for (uint64_t i = 0; i < count; ++i)
        values[i] = float(0.05 * std::sin(frequency * double(i)) + 0.001 * double(i % 7));
    return values;
}

// Tensors: quantized (small), kept (1-D), kept by fallback (row 172), refused (NaN/Inf),
// quantized (large: more than kJobSmallTensorElements values).
std::unique_ptr<Checkpoint> makeModel(const QTemporaryDir& dir) {
    std::vector<float> bad = wave(8 * 64, 0.3);
    bad[70] = std::numeric_limits<float>::quiet_NaN();
    bad[100] = std::numeric_limits<float>::infinity();
    return test::makeCheckpoint(dir.filePath("model.bin"),
                                {{"tok_embeddings.weight", {512, 64}, wave(512 * 64, 0.1)},
                                 {"norm.weight", {64}, wave(64, 0.2)},
                                 {"layers.0.feed_forward.w2", {64, 172}, wave(64 * 172, 0.7)},
                                 {"bad", {8, 64}, bad},
                                 {"big", {300, 256}, wave(300 * 256, 0.01)}});
}

} // namespace

class TestQuantizeJob : public QObject {
    Q_OBJECT
private slots:
    void outcomesMetricsAndTotals() {
        QTemporaryDir dir;
        const auto checkpoint = makeModel(dir);
        const SizePlan plan = planSizes(*checkpoint, Recipe::singleFormat("q8_0"));
        CpuBackend backend(2);
        QuantizeJobOptions options;
        options.tensorWorkers = 2;
        options.keepData = true;
        uint64_t lastDone = 0, lastTotal = 0;
        const QuantizeJobResult job =
            runQuantizeJob(*checkpoint, plan, backend, options, [&](uint64_t done, uint64_t total) {
                lastDone = done;
                lastTotal = total;
                return true;
            });
        QCOMPARE(lastTotal, uint64_t(512 * 64 + 8 * 64 + 300 * 256));
        QCOMPARE(lastDone, lastTotal);

        QCOMPARE(job.tensors.size(), size_t(5));
        const TensorResult& embedding = job.tensors[0];
        QCOMPARE(embedding.name, std::string("tok_embeddings.weight"));
        QCOMPARE(embedding.outcome, TensorOutcome::Quantized);
        QCOMPARE(embedding.formatId(), std::string("q8_0"));
        QCOMPARE(embedding.bytesAfter, uint64_t(512 * 64 / 32 * 34));
        QCOMPARE(embedding.bitsPerWeight(), 8.5);

        // The job's metrics and bytes are those of the backend on the same values.
        std::vector<float> values(512 * 64);
        checkpoint->readMatrixRows(0, 0, 512, values.data());
        const QuantizedTensor direct =
            CpuBackend(1).quantize(values, {512, 64}, *makeFormat("q8_0"), nullptr);
        QCOMPARE(embedding.metrics.mse, direct.metrics.mse);
        QCOMPARE(embedding.metrics.cosine, direct.metrics.cosine);
        QVERIFY(embedding.data && embedding.data->packed == direct.packed);
        QVERIFY(embedding.metrics.relativeRmse > 1e-4 && embedding.metrics.relativeRmse < 1e-2);

        const TensorResult& norm = job.tensors[1];
        QCOMPARE(norm.outcome, TensorOutcome::Kept);
        QCOMPARE(norm.formatId(), std::string("keep"));
        QCOMPARE(norm.bytesAfter, uint64_t(256));
        QCOMPARE(norm.metrics.rmse, 0.0);
        QCOMPARE(norm.metrics.cosine, 1.0);
        QVERIFY(!norm.data);

        const TensorResult& w2 = job.tensors[2];
        QCOMPARE(w2.outcome, TensorOutcome::Kept);
        QVERIFY2(w2.note.starts_with("format q8_0 does not fit row length 172"), w2.note.c_str());

        const TensorResult& bad = job.tensors[3];
        QCOMPARE(bad.outcome, TensorOutcome::Refused);
        QCOMPARE(bad.formatId(), std::string("keep"));
        QCOMPARE(bad.bytesAfter, uint64_t(8 * 64 * 4));
        QVERIFY2(bad.note.find("2 NaN/Inf values (first at row 1, column 6)") != std::string::npos,
                 bad.note.c_str());
        QCOMPARE(bad.metrics.count, uint64_t(0));
        QCOMPARE(job.refusedCount(), size_t(1));

        QCOMPARE(job.tensors[4].outcome, TensorOutcome::Quantized);
        QCOMPARE(job.tensors[4].bytesAfter, uint64_t(300 * 256 / 32 * 34));

        const SizeTotals& t = job.totals;
        QCOMPARE(t.params, checkpoint->totalParameters());
        QCOMPARE(t.bytesBefore, checkpoint->totalBytes());
        QCOMPARE(t.bytesAfter, uint64_t(34816 + 256 + 64 * 172 * 4 + 8 * 64 * 4 + 81600));
        QCOMPARE(t.quantizedParams, uint64_t(512 * 64 + 300 * 256));
        QCOMPARE(t.quantizedBitsPerWeight(), 8.5);
    }
    void workerCountDoesNotChangeResults() {
        QTemporaryDir dir;
        const auto checkpoint = makeModel(dir);
        const SizePlan plan = planSizes(*checkpoint, Recipe::singleFormat("q8_0"));
        CpuBackend one(1), many(3);
        QuantizeJobOptions serial, parallel;
        parallel.tensorWorkers = 3;
        const QuantizeJobResult a = runQuantizeJob(*checkpoint, plan, one, serial, nullptr);
        const QuantizeJobResult b = runQuantizeJob(*checkpoint, plan, many, parallel, nullptr);
        for (size_t i = 0; i < a.tensors.size(); ++i) {
            QCOMPARE(a.tensors[i].outcome, b.tensors[i].outcome);
            QCOMPARE(a.tensors[i].metrics.mse, b.tensors[i].metrics.mse);
            QCOMPARE(a.tensors[i].metrics.maxAbsError, b.tensors[i].metrics.maxAbsError);
            QVERIFY(!a.tensors[i].data);
        }
        QCOMPARE(a.totals.bytesAfter, b.totals.bytesAfter);
    }
    void cancelThrows_data() {
        QTest::addColumn<int>("stopAfter");
        QTest::newRow("at once") << 0;
        QTest::newRow("inside the large tensor") << 1;
        QTest::newRow("among the small tensors") << 4;
    }
    void cancelThrows() {
        QFETCH(int, stopAfter);
        QTemporaryDir dir;
        const auto checkpoint = makeModel(dir);
        const SizePlan plan = planSizes(*checkpoint, Recipe::singleFormat("q8_0"));
        CpuBackend backend(2);
        QuantizeJobOptions options;
        options.tensorWorkers = 2;
        int calls = 0;
        QVERIFY_THROWS_EXCEPTION(
            Cancelled, runQuantizeJob(*checkpoint, plan, backend, options,
                                      [&](uint64_t, uint64_t) { return calls++ < stopAfter; }));
    }
};

QTEST_GUILESS_MAIN(TestQuantizeJob)
#include "tst_quantizejob.moc"

// SPDX-License-Identifier: MIT
#include "core/backend/CpuBackend.h"
#include "core/util/Error.h"

#include <QTest>
#include <algorithm>
#include <cmath>
#include <cstring>

using namespace bitlens;

namespace {

// Test-only 8-bit symmetric format with an fp32 absmax scale per row (perTensor false) or one
// scale for the whole tensor in front of the codes (perTensor true, blockLength 0).
class TestInt8Format final : public Format {
public:
    explicit TestInt8Format(bool perTensor) : perTensor_(perTensor) {}
    std::string id() const override { return perTensor_ ? "test-int8-tensor" : "test-int8-row"; }
    std::string description() const override { return "test format"; }
    FormatFamily family() const override { return FormatFamily::Integer; }
    uint64_t blockLength(uint64_t rowLength) const override { return perTensor_ ? 0 : rowLength; }
    std::string unsupportedReason(uint64_t rowLength) const override {
        return rowLength == 0 ? "empty rows" : "";
    }
    uint64_t packedBytes(MatrixShape shape) const override {
        return shape.elements() + (perTensor_ ? 4 : 4 * shape.rows);
    }
    void quantize(std::span<const float> src, MatrixShape shape,
                  std::span<std::byte> dst) const override {
        const uint64_t groups = perTensor_ ? 1 : shape.rows;
        const uint64_t length = shape.elements() / groups;
        for (uint64_t g = 0; g < groups; ++g) {
            const auto values = src.subspan(g * length, length);
            float maxAbs = 0;
            for (float x : values)
                maxAbs = std::max(maxAbs, std::abs(x));
            const float scale = maxAbs / 127.0f;
            std::byte* out = dst.data() + g * (length + 4);
            std::memcpy(out, &scale, 4);
            for (uint64_t i = 0; i < length; ++i)
                out[4 + i] = std::byte(int8_t(scale > 0 ? std::lround(values[i] / scale) : 0));
        }
    }
    void dequantize(std::span<const std::byte> src, MatrixShape shape,
                    std::span<float> dst) const override {
        const uint64_t groups = perTensor_ ? 1 : shape.rows;
        const uint64_t length = shape.elements() / groups;
        for (uint64_t g = 0; g < groups; ++g) {
            const std::byte* in = src.data() + g * (length + 4);
            float scale;
            std::memcpy(&scale, in, 4);
            for (uint64_t i = 0; i < length; ++i)
                dst[g * length + i] = float(int8_t(in[4 + i])) * scale;
        }
    }

private:
    bool perTensor_;
};

std::vector<float> syntheticValues(MatrixShape shape) {
    std::vector<float> values(shape.elements());
    for (size_t i = 0; i < values.size(); ++i)
        values[i] = float(std::sin(0.37 * double(i)) * (1.0 + double(i % 97) / 10.0));
    return values;
}

} // namespace

class TestCpuBackend : public QObject {
    Q_OBJECT
private slots:
    void separability() {
        QVERIFY(rowSeparable(TestInt8Format(false), {300, 1000}));
        QVERIFY(!rowSeparable(TestInt8Format(true), {300, 1000}));
    }
    void threadCountDoesNotChangeAnything_data() {
        QTest::addColumn<bool>("perTensor");
        QTest::addColumn<quint64>("rows");
        QTest::newRow("per-row, many chunks") << false << quint64(300);
        QTest::newRow("per-row, one row") << false << quint64(1);
        QTest::newRow("per-tensor") << true << quint64(300);
    }
    void threadCountDoesNotChangeAnything() {
        QFETCH(bool, perTensor);
        QFETCH(quint64, rows);
        const TestInt8Format format(perTensor);
        const MatrixShape shape{rows, 1000}; // 300 rows: 5 chunks of 65 rows
        const std::vector<float> values = syntheticValues(shape);
        const QuantizedTensor one = CpuBackend(1).quantize(values, shape, format, nullptr);
        const QuantizedTensor many = CpuBackend(7).quantize(values, shape, format, nullptr);
        QCOMPARE(one.formatId, format.id());
        QCOMPARE(one.packed.size(), format.packedBytes(shape));
        QVERIFY(one.packed == many.packed);
        QVERIFY(one.dequantized == many.dequantized);
        QCOMPARE(one.metrics.mse, many.metrics.mse);
        QCOMPARE(one.metrics.cosine, many.metrics.cosine);

        // The packed bytes are those of one whole-tensor call to the format.
        std::vector<std::byte> direct(format.packedBytes(shape));
        format.quantize(values, shape, direct);
        QVERIFY(direct == many.packed);

        std::vector<float> decoded(shape.elements());
        CpuBackend(3).dequantize(many.packed, shape, format, decoded);
        QVERIFY(decoded == many.dequantized);
    }
    void metricsMatchADirectComputation() {
        const TestInt8Format format(false);
        const MatrixShape shape{200, 512};
        const std::vector<float> values = syntheticValues(shape);
        const QuantizedTensor result = CpuBackend(4).quantize(values, shape, format, nullptr);
        double squaredError = 0, squaredOriginal = 0, dot = 0, squaredDecoded = 0, maxAbs = 0;
        for (size_t i = 0; i < values.size(); ++i) {
            const double x = values[i], y = result.dequantized[i];
            squaredError += (y - x) * (y - x);
            squaredOriginal += x * x;
            squaredDecoded += y * y;
            dot += x * y;
            maxAbs = std::max(maxAbs, std::abs(y - x));
        }
        const double n = double(values.size());
        const ErrorMetrics& m = result.metrics;
        QCOMPARE(m.count, uint64_t(values.size()));
        QVERIFY(std::abs(m.mse - squaredError / n) <= 1e-12 * m.mse);
        QVERIFY(std::abs(m.relativeRmse - std::sqrt(squaredError / squaredOriginal)) < 1e-12);
        QVERIFY(std::abs(m.sqnrDb - 10 * std::log10(squaredOriginal / squaredError)) < 1e-9);
        QVERIFY(std::abs(m.cosine - dot / std::sqrt(squaredOriginal * squaredDecoded)) < 1e-12);
        QCOMPARE(m.maxAbsError, maxAbs);
        // 8 bits per row: about 2^-8 of the row's range, so a few tenths of a percent.
        QVERIFY(m.relativeRmse > 1e-4 && m.relativeRmse < 1e-2);
    }
    void progressCoversEveryValue() {
        const TestInt8Format format(false);
        const MatrixShape shape{300, 1000};
        const std::vector<float> values = syntheticValues(shape);
        std::vector<uint64_t> reports;
        CpuBackend(3).quantize(values, shape, format, [&](uint64_t done, uint64_t total) {
            if (total != shape.elements())
                return false;
            reports.push_back(done); // calls are serialized by the backend
            return true;
        });
        QCOMPARE(reports.size(), size_t(6)); // start + 5 chunks
        QCOMPARE(reports.front(), uint64_t(0));
        QVERIFY(std::is_sorted(reports.begin(), reports.end()));
        QCOMPARE(reports.back(), shape.elements());
    }
    void cancelThrowsAndReturnsNothing_data() {
        QTest::addColumn<int>("stopAfter");
        QTest::newRow("before starting") << 0;
        QTest::newRow("after a chunk") << 1;
    }
    void cancelThrowsAndReturnsNothing() {
        QFETCH(int, stopAfter);
        const TestInt8Format format(false);
        const MatrixShape shape{300, 1000};
        const std::vector<float> values = syntheticValues(shape);
        CpuBackend backend(2);
        int calls = 0;
        bool returned = false;
        QVERIFY_THROWS_EXCEPTION(Cancelled, {
            backend.quantize(values, shape, format,
                             [&](uint64_t, uint64_t) { return calls++ < stopAfter; });
            returned = true;
        });
        QVERIFY(!returned);
        QVERIFY(calls <= stopAfter + 2); // workers stop taking chunks once asked
        // The backend is still usable afterwards.
        QCOMPARE(backend.quantize(values, shape, format, nullptr).packed.size(),
                 format.packedBytes(shape));
    }
    void contractViolationsThrow() {
        const TestInt8Format format(false);
        const std::vector<float> values(10, 1.0f);
        QVERIFY_THROWS_EXCEPTION(Error, CpuBackend(2).quantize(values, {3, 4}, format, nullptr));
        QVERIFY_THROWS_EXCEPTION(Error, CpuBackend(2).quantize({}, {1, 0}, format, nullptr));
    }
};

QTEST_GUILESS_MAIN(TestCpuBackend)
#include "tst_cpubackend.moc"

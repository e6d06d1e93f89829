// SPDX-License-Identifier: MIT
#include "HistogramEdges.h"
#include "VulkanBackend.h"
#include "core/metrics/ErrorMetrics.h"
#include "core/tensor/FloatBits.h"
#include "core/util/Error.h"

#include <QTest>
#include <cmath>
#include <cstring>
#include <random>

using namespace bitlens;

namespace {

VulkanBackendOptions validated(uint64_t chunkBytes = 0) {
    VulkanBackendOptions options;
    options.context.validation = true;
    options.chunkBytes = chunkBytes;
    return options;
}

std::vector<float> normalValues(size_t count, uint32_t seed, float sigma = 0.02f) {
    std::mt19937 random(seed);
    std::normal_distribution<float> normal(0.0f, sigma);
    std::vector<float> values(count);
    for (float& value : values)
        value = normal(random);
    return values;
}

bool sameBits(float a, float b) {
    return std::bit_cast<uint32_t>(a) == std::bit_cast<uint32_t>(b);
}

void compareRelative(double actual, double expected, double tolerance, const char* what) {
    const double scale = std::max(std::abs(expected), 1e-300);
    QVERIFY2(
        std::abs(actual - expected) <= tolerance * scale,
        qPrintable(
            QString("%1: %2 vs %3").arg(what).arg(actual, 0, 'g', 17).arg(expected, 0, 'g', 17)));
}

// The binning rule of VulkanBackend::histogram, written plainly.
std::vector<uint64_t> histogramOnHost(std::span<const float> values, std::span<const float> edges,
                                      std::span<const float> reference) {
    const size_t bins = edges.size() - 1;
    std::vector<uint64_t> counts(bins + 3, 0);
    for (size_t i = 0; i < values.size(); ++i) {
        const float v = reference.empty() ? values[i] : values[i] - reference[i];
        if (std::isnan(v))
            ++counts[bins + 2];
        else if (v > edges.back())
            ++counts[bins + 1];
        else if (v < edges.front())
            ++counts[bins];
        else
            ++counts[std::min<size_t>(
                size_t(std::upper_bound(edges.begin(), edges.end(), v) - edges.begin()) - 1,
                bins - 1)];
    }
    return counts;
}

// The CPU histogram's equal-width rule (core/metrics/Histogram): bins, underflow, overflow, NaN.
std::vector<uint64_t> equalWidthOnHost(std::span<const float> values, double low, double high,
                                       uint32_t count) {
    std::vector<uint64_t> counts(count + 3, 0);
    const double scale = double(count) / (high - low);
    for (float value : values) {
        const double x = value;
        if (std::isnan(x))
            ++counts[count + 2];
        else if (x < low)
            ++counts[count];
        else if (x > high)
            ++counts[count + 1];
        else
            ++counts[std::min<uint64_t>(count - 1, uint64_t((x - low) * scale))];
    }
    return counts;
}

} // namespace

class TestVulkanReductions : public QObject {
    Q_OBJECT
private slots:
    void halfToFloatEveryCode() {
        VulkanBackend backend(validated());
        std::vector<uint16_t> codes(65536);
        for (uint32_t i = 0; i < codes.size(); ++i)
            codes[i] = uint16_t(i);
        const std::vector<float> values =
            backend.toFloat(std::as_bytes(std::span(codes)), DType::F16);
        QCOMPARE(values.size(), codes.size());
        for (uint32_t i = 0; i < codes.size(); ++i)
            if (!sameBits(values[i], halfToFloat(codes[i])))
                QFAIL(qPrintable(QString("f16 0x%1").arg(i, 4, 16, QChar('0'))));
        QCOMPARE(backend.context().instance().validationMessages(), uint64_t(0));
    }

    void bf16ToFloatEveryCodeInChunks() {
        VulkanBackend backend(validated(4096)); // 1024 values per chunk: 64 chunks, 2 slots
        std::vector<uint16_t> codes(65536 + 3);
        for (uint32_t i = 0; i < codes.size(); ++i)
            codes[i] = uint16_t(i * 7919u);
        const std::vector<float> values =
            backend.toFloat(std::as_bytes(std::span(codes)), DType::BF16);
        for (uint32_t i = 0; i < codes.size(); ++i)
            if (!sameBits(values[i], bf16ToFloat(codes[i])))
                QFAIL(qPrintable(QString("bf16 0x%1").arg(codes[i], 4, 16, QChar('0'))));
        QCOMPARE(backend.context().instance().validationMessages(), uint64_t(0));
    }

    void rejectsOtherDTypes() {
        VulkanBackend backend(validated());
        const std::byte bytes[4] = {};
        QVERIFY_THROWS_EXCEPTION(bitlens::Error, backend.toFloat(bytes, DType::I32));
        QVERIFY_THROWS_EXCEPTION(bitlens::Error, backend.toFloat(std::span(bytes, 3), DType::F16));
    }

    void errorMetricsMatchCpu_data() {
        QTest::addColumn<int>("count");
        QTest::addColumn<int>("chunkBytes");
        QTest::addColumn<float>("noise");
        QTest::newRow("one workgroup, partial") << 1000 << 0 << 1e-3f;
        QTest::newRow("4M values, int8-like error") << (4 << 20) << 0 << 1e-4f;
        QTest::newRow("4M values, 2-bit-like error") << (4 << 20) << 0 << 1e-2f;
        QTest::newRow("chunked, odd count") << 1000003 << (1 << 18) << 1e-3f;
    }
    void errorMetricsMatchCpu() {
        QFETCH(int, count);
        QFETCH(int, chunkBytes);
        QFETCH(float, noise);
        const std::vector<float> original = normalValues(size_t(count), 1);
        std::vector<float> dequantized = normalValues(size_t(count), 2, noise);
        for (size_t i = 0; i < dequantized.size(); ++i)
            dequantized[i] += original[i];
        dequantized[count / 2] = original[count / 2] + 0.5f; // one outlier error
        VulkanBackend backend(validated(uint64_t(chunkBytes)));
        const ErrorMetrics gpu = backend.errorMetrics(original, dequantized);
        ErrorAccumulator accumulator;
        accumulator.add(original, dequantized);
        const ErrorMetrics cpu = accumulator.finish();
        QCOMPARE(gpu.count, cpu.count);
        compareRelative(gpu.mse, cpu.mse, 1e-6, "mse");
        compareRelative(gpu.rmse, cpu.rmse, 1e-6, "rmse");
        compareRelative(gpu.relativeRmse, cpu.relativeRmse, 1e-6, "relativeRmse");
        compareRelative(gpu.maxAbsError, cpu.maxAbsError, 1e-6, "maxAbsError");
        compareRelative(gpu.sqnrDb, cpu.sqnrDb, 1e-6, "sqnrDb");
        compareRelative(gpu.cosine, cpu.cosine, 1e-6, "cosine");
        QCOMPARE(backend.context().instance().validationMessages(), uint64_t(0));
    }

    void equalWidthEdgesMatchCpuBinning_data() {
        QTest::addColumn<double>("low");
        QTest::addColumn<double>("high");
        QTest::addColumn<uint>("count");
        QTest::newRow("symmetric 64") << -0.3 << 0.3 << 64u;
        QTest::newRow("odd range 1000") << -1.7e-3 << 2.3e-2 << 1000u;
        QTest::newRow("tiny width") << 1.0 << 1.0 + 1e-6 << 4096u;
        QTest::newRow("one bin") << -1.0 << 1.0 << 1u;
    }
    void equalWidthEdgesMatchCpuBinning() {
        QFETCH(double, low);
        QFETCH(double, high);
        QFETCH(uint, count);
        const std::vector<float> edges = equalWidthFloatEdges(low, high, count);
        QCOMPARE(edges.size(), size_t(count) + 1);
        QVERIFY(std::is_sorted(edges.begin(), edges.end() - 1));
        QVERIFY(edges.back() >= edges.front());
        // Values on and around every bin boundary, beyond both ends, NaN and infinities.
        std::vector<float> values = normalValues(100000, 12, float(high - low));
        for (uint32_t i = 0; i <= count; ++i) {
            const float boundary = float(low + (high - low) * double(i) / double(count));
            for (float v = std::nextafter(boundary, -INFINITY), k = 0; k < 3;
                 v = std::nextafter(v, INFINITY), ++k)
                values.push_back(v);
        }
        values.insert(values.end(), {float(low), float(high), std::nanf(""), INFINITY, -INFINITY,
                                     float(low) - 1.0f, float(high) + 1.0f});
        VulkanBackend backend(validated(1 << 16));
        QCOMPARE(backend.histogram(values, edges), equalWidthOnHost(values, low, high, count));
    }

    void histogramMatchesRule() {
        const std::vector<float> values = normalValues(300001, 3, 1.0f);
        std::vector<float> reference = normalValues(values.size(), 4, 1.0f);
        std::vector<float> edges;
        for (int i = 0; i <= 64; ++i)
            edges.push_back(-3.0f + 6.0f * float(i) / 64.0f);
        std::vector<float> withTies = values;
        for (size_t i = 0; i < edges.size(); ++i)
            withTies[i] = edges[i]; // exact edge values, the last one included
        withTies[100] = -100.0f;
        withTies[101] = std::nanf("");
        VulkanBackend backend(validated(1 << 16));
        QCOMPARE(backend.histogram(withTies, edges), histogramOnHost(withTies, edges, {}));
        QCOMPARE(backend.histogram(values, edges, reference),
                 histogramOnHost(values, edges, reference));
        QVERIFY_THROWS_EXCEPTION(bitlens::Error,
                                 backend.histogram(values, std::vector<float>{1.0f}));
        QVERIFY_THROWS_EXCEPTION(bitlens::Error,
                                 backend.histogram(values, std::vector<float>{2.0f, 1.0f}));
        QCOMPARE(backend.context().instance().validationMessages(), uint64_t(0));
    }
};

QTEST_GUILESS_MAIN(TestVulkanReductions)
#include "tst_vulkan_reductions.moc"

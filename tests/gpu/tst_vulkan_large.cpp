// SPDX-License-Identifier: MIT
// A tensor larger than lavapipe's 128 MiB maxStorageBufferRange goes through in row chunks and
// still matches the CPU reference exactly.
#include "VulkanBackend.h"
#include "core/metrics/ErrorMetrics.h"
#include "core/quant/FormatRegistry.h"

#include <QElapsedTimer>
#include <QTest>
#include <random>

using namespace bitlens;

class TestVulkanLarge : public QObject {
    Q_OBJECT
private slots:
    void tensorBeyondStorageBufferRange() {
        const MatrixShape shape{10000, 4000}; // 40M floats, 160 MB
        std::vector<float> values(shape.elements());
        std::mt19937 random(11);
        std::normal_distribution<float> normal(0.0f, 0.02f);
        for (float& value : values)
            value = normal(random);

        VulkanBackendOptions options;
        options.context.validation = true;
        VulkanBackend backend(options);
        QVERIFY(values.size() * sizeof(float) >
                    backend.context().description().maxStorageBufferRange ||
                backend.context().description().maxStorageBufferRange > (1ull << 30));
        const auto format = makeFormat("q8_0");
        uint64_t chunks = 0;
        QElapsedTimer timer;
        timer.start();
        const QuantizedTensor gpu =
            backend.quantize(values, shape, *format, [&](uint64_t, uint64_t total) {
                chunks = total;
                return true;
            });
        const qint64 gpuMs = timer.restart();
        QVERIFY2(chunks >= 2, "the tensor was not split into chunks");

        std::vector<std::byte> packed(format->packedBytes(shape));
        format->quantize(values, shape, packed);
        std::vector<float> dequantized(values.size());
        format->dequantize(packed, shape, dequantized);
        ErrorAccumulator accumulator;
        accumulator.add(values, dequantized);
        const ErrorMetrics cpu = accumulator.finish();
        const qint64 cpuMs = timer.elapsed();
        qInfo("q8_0, 40M values in %llu chunks: vulkan %lld ms, cpu reference %lld ms",
              (unsigned long long)chunks, gpuMs, cpuMs);

        QVERIFY(gpu.packed == packed);
        QVERIFY(std::memcmp(gpu.dequantized.data(), dequantized.data(),
                            dequantized.size() * sizeof(float)) == 0);
        QCOMPARE(gpu.metrics.count, cpu.count);
        QVERIFY(std::abs(gpu.metrics.mse - cpu.mse) <= 1e-6 * cpu.mse);
        QVERIFY(std::abs(gpu.metrics.cosine - cpu.cosine) <= 1e-6 * cpu.cosine);
        QVERIFY(std::abs(gpu.metrics.sqnrDb - cpu.sqnrDb) <= 1e-6 * cpu.sqnrDb);
        QCOMPARE(backend.context().instance().validationMessages(), uint64_t(0));
    }
};

QTEST_GUILESS_MAIN(TestVulkanLarge)
#include "tst_vulkan_large.moc"

// SPDX-License-Identifier: MIT
#include "AttentionOp.h"
#include "ComputeSession.h"
#include "ElementwiseOps.h"
#include "ImageOps.h"
#include "MatMulOp.h"
#include "RopeOp.h"
#include "RowOps.h"
#include "VulkanClassifierEngine.h"
#include "common/TestData.h"
#include "core/KerasTestCheckpoint.h"
#include "core/eval/ClassifierEvaluator.h"
#include "core/eval/KerasWeights.h"
#include "core/eval/LayerMath.h"
#include "core/eval/TransformerMath.h"
#include "core/io/CheckpointReader.h"
#include "core/quant/FormatRegistry.h"
#include "core/util/Error.h"

#include <QTest>
#include <cmath>
#include <random>

using namespace bitlens;
using nlohmann::json;

Q_DECLARE_METATYPE(WeightLayout)
Q_DECLARE_METATYPE(PoolKind)
Q_DECLARE_METATYPE(Activation)
Q_DECLARE_METATYPE(RopePairing)

namespace {

constexpr double kTolerance = 1e-4;

std::vector<float> randomValues(size_t count, uint32_t seed, float low = -1.0f, float high = 1.0f) {
    std::mt19937 random(seed);
    std::uniform_real_distribution<float> uniform(low, high);
    std::vector<float> values(count);
    for (float& value : values)
        value = uniform(random);
    return values;
}

// Every value within kTolerance relative of the reference: |actual - expected| <=
// 1e-4 * max(|expected|, rms(expected)). The RMS floor keeps values that cancel to nearly zero
// (a dot product of mixed signs) from demanding more than float sums can give; a wrong formula
// or index is off by far more.
void compareRelative(const std::vector<float>& actual, const std::vector<float>& expected) {
    QCOMPARE(actual.size(), expected.size());
    double squares = 0;
    for (float value : expected)
        squares += double(value) * double(value);
    const double rms = expected.empty() ? 0.0 : std::sqrt(squares / double(expected.size()));
    for (size_t i = 0; i < expected.size(); ++i) {
        const double scale = std::max(std::abs(double(expected[i])), rms);
        QVERIFY2(std::abs(double(actual[i]) - double(expected[i])) <= kTolerance * scale,
                 qPrintable(QString("value %1: %2 vs reference %3")
                                .arg(i)
                                .arg(double(actual[i]), 0, 'g', 9)
                                .arg(double(expected[i]), 0, 'g', 9)));
    }
}

// Keras-style Conv2D / pooling window with TensorFlow geometry.
Window2D window(uint32_t height, uint32_t width, uint32_t stride, bool same) {
    return {height, width, stride, stride, same};
}

} // namespace

class TestVulkanOps : public QObject {
    Q_OBJECT

    std::shared_ptr<ComputeSession> session_;

    // Runs `record` once and reads `outCount` floats of `out` back.
    std::vector<float> runAndRead(const std::function<void(OpRecorder&)>& record,
                                  const GpuBuffer& out, uint64_t outCount) {
        session_->run(record);
        return session_->download(out, outCount);
    }

private slots:
    void initTestCase() {
        // No Vulkan device is a failure, not a skip: this test exists to run the operators.
        VulkanContextOptions options;
        options.validation = true;
        session_ = ComputeSession::create(options);
        QVERIFY(session_);
    }

    void matMul_data() {
        QTest::addColumn<uint64_t>("rows");
        QTest::addColumn<uint64_t>("in");
        QTest::addColumn<uint64_t>("out");
        QTest::addColumn<WeightLayout>("layout");
        QTest::addColumn<bool>("bias");
        QTest::newRow("1x1x1") << uint64_t(1) << uint64_t(1) << uint64_t(1) << WeightLayout::OutIn
                               << false;
        QTest::newRow("batch 1 dense 784->128")
            << uint64_t(1) << uint64_t(784) << uint64_t(128) << WeightLayout::InOut << true;
        QTest::newRow("37x50->23 linear")
            << uint64_t(37) << uint64_t(50) << uint64_t(23) << WeightLayout::OutIn << false;
        QTest::newRow("64x64->64 linear bias")
            << uint64_t(64) << uint64_t(64) << uint64_t(64) << WeightLayout::OutIn << true;
        QTest::newRow("17x300->129 dense")
            << uint64_t(17) << uint64_t(300) << uint64_t(129) << WeightLayout::InOut << false;
        QTest::newRow("100x128->10 dense bias")
            << uint64_t(100) << uint64_t(128) << uint64_t(10) << WeightLayout::InOut << true;
        QTest::newRow("256x784->128 dense")
            << uint64_t(256) << uint64_t(784) << uint64_t(128) << WeightLayout::InOut << true;
        QTest::newRow("3x16->1 linear")
            << uint64_t(3) << uint64_t(16) << uint64_t(1) << WeightLayout::OutIn << false;
    }
    void matMul() {
        QFETCH(uint64_t, rows);
        QFETCH(uint64_t, in);
        QFETCH(uint64_t, out);
        QFETCH(WeightLayout, layout);
        QFETCH(bool, bias);
        const std::vector<float> x = randomValues(rows * in, 1);
        const std::vector<float> w = randomValues(in * out, 2);
        const std::vector<float> b = bias ? randomValues(out, 3) : std::vector<float>();
        std::vector<float> expected(rows * out);
        if (layout == WeightLayout::InOut) {
            denseForward(x, rows, in, w, b, out, expected);
        } else {
            linearForward(x, rows, in, w, out, expected);
            for (size_t i = 0; i < b.size() && bias; ++i)
                for (uint64_t r = 0; r < rows; ++r)
                    expected[r * out + i] += b[i];
        }
        const GpuBuffer gx = session_->upload(x);
        const GpuBuffer gw = session_->upload(w);
        const GpuBuffer gb = session_->upload(b);
        const GpuBuffer gy = session_->deviceBuffer(rows * out);
        compareRelative(
            runAndRead(
                [&](OpRecorder& r) {
                    recordMatMul(r, {rows, in, out, layout}, gx, gw, bias ? &gb : nullptr, gy);
                },
                gy, rows * out),
            expected);
    }

    void conv2d_data() {
        QTest::addColumn<uint64_t>("images");
        QTest::addColumn<uint64_t>("height");
        QTest::addColumn<uint64_t>("width");
        QTest::addColumn<uint64_t>("channels");
        QTest::addColumn<uint32_t>("kernel");
        QTest::addColumn<uint32_t>("stride");
        QTest::addColumn<bool>("same");
        QTest::addColumn<uint64_t>("filters");
        QTest::newRow("1 image 5x5x1 3x3 valid") << uint64_t(1) << uint64_t(5) << uint64_t(5)
                                                 << uint64_t(1) << 3u << 1u << false << uint64_t(4);
        QTest::newRow("3 images 7x6x3 3x3 same") << uint64_t(3) << uint64_t(7) << uint64_t(6)
                                                 << uint64_t(3) << 3u << 1u << true << uint64_t(5);
        QTest::newRow("2 images 9x9x2 2x2 stride 2 same")
            << uint64_t(2) << uint64_t(9) << uint64_t(9) << uint64_t(2) << 2u << 2u << true
            << uint64_t(3);
        QTest::newRow("1 image 28x28x1 5x5 stride 2 valid")
            << uint64_t(1) << uint64_t(28) << uint64_t(28) << uint64_t(1) << 5u << 2u << false
            << uint64_t(8);
        QTest::newRow("4 images 8x8x16 1x1") << uint64_t(4) << uint64_t(8) << uint64_t(8)
                                             << uint64_t(16) << 1u << 1u << false << uint64_t(7);
    }
    void conv2d() {
        QFETCH(uint64_t, images);
        QFETCH(uint64_t, height);
        QFETCH(uint64_t, width);
        QFETCH(uint64_t, channels);
        QFETCH(uint32_t, kernel);
        QFETCH(uint32_t, stride);
        QFETCH(bool, same);
        QFETCH(uint64_t, filters);
        const ImageShape shape{height, width, channels};
        const Window2D win = window(kernel, kernel, stride, same);
        const WindowGeometry geometry = windowGeometry(height, width, win, "conv");
        const uint64_t outPlane = uint64_t(geometry.outHeight) * geometry.outWidth * filters;
        const std::vector<float> x = randomValues(images * shape.size(), 4);
        const std::vector<float> k =
            randomValues(uint64_t(kernel) * kernel * channels * filters, 5);
        const std::vector<float> b = randomValues(filters, 6);
        std::vector<float> expected(images * outPlane);
        for (uint64_t n = 0; n < images; ++n)
            conv2dForward(std::span(x).subspan(n * shape.size(), shape.size()), shape, win,
                          geometry, k, b, filters,
                          std::span(expected).subspan(n * outPlane, outPlane));
        const GpuBuffer gx = session_->upload(x);
        const GpuBuffer gk = session_->upload(k);
        const GpuBuffer gb = session_->upload(b);
        const GpuBuffer gy = session_->deviceBuffer(expected.size());
        compareRelative(runAndRead(
                            [&](OpRecorder& r) {
                                recordConv2d(r, images, shape, win, geometry, filters, gx, gk, &gb,
                                             gy);
                            },
                            gy, expected.size()),
                        expected);
    }

    void pool_data() {
        QTest::addColumn<PoolKind>("kind");
        QTest::addColumn<uint64_t>("images");
        QTest::addColumn<uint64_t>("height");
        QTest::addColumn<uint64_t>("width");
        QTest::addColumn<uint64_t>("channels");
        QTest::addColumn<uint32_t>("size");
        QTest::addColumn<uint32_t>("stride");
        QTest::addColumn<bool>("same");
        QTest::newRow("max 2x2 valid") << PoolKind::Max << uint64_t(2) << uint64_t(8) << uint64_t(8)
                                       << uint64_t(3) << 2u << 2u << false;
        QTest::newRow("max 3x3 stride 2 same") << PoolKind::Max << uint64_t(1) << uint64_t(7)
                                               << uint64_t(9) << uint64_t(4) << 3u << 2u << true;
        QTest::newRow("average 2x2 same odd") << PoolKind::Average << uint64_t(3) << uint64_t(5)
                                              << uint64_t(5) << uint64_t(2) << 2u << 2u << true;
        QTest::newRow("average 3x3 stride 1 valid")
            << PoolKind::Average << uint64_t(1) << uint64_t(6) << uint64_t(6) << uint64_t(5) << 3u
            << 1u << false;
    }
    void pool() {
        QFETCH(PoolKind, kind);
        QFETCH(uint64_t, images);
        QFETCH(uint64_t, height);
        QFETCH(uint64_t, width);
        QFETCH(uint64_t, channels);
        QFETCH(uint32_t, size);
        QFETCH(uint32_t, stride);
        QFETCH(bool, same);
        const ImageShape shape{height, width, channels};
        const Window2D win = window(size, size, stride, same);
        const WindowGeometry geometry = windowGeometry(height, width, win, "pool");
        const uint64_t outPlane = uint64_t(geometry.outHeight) * geometry.outWidth * channels;
        const std::vector<float> x = randomValues(images * shape.size(), 7);
        std::vector<float> expected(images * outPlane);
        for (uint64_t n = 0; n < images; ++n) {
            const auto in = std::span(x).subspan(n * shape.size(), shape.size());
            const auto result = std::span(expected).subspan(n * outPlane, outPlane);
            if (kind == PoolKind::Max)
                maxPool2d(in, shape, win, geometry, result);
            else
                averagePool2d(in, shape, win, geometry, result);
        }
        const GpuBuffer gx = session_->upload(x);
        const GpuBuffer gy = session_->deviceBuffer(expected.size());
        compareRelative(
            runAndRead(
                [&](OpRecorder& r) { recordPool2d(r, kind, images, shape, win, geometry, gx, gy); },
                gy, expected.size()),
            expected);
    }

    void globalAveragePool() {
        for (const ImageShape shape : {ImageShape{1, 1, 3}, ImageShape{7, 5, 6}}) {
            const uint64_t images = 3;
            const std::vector<float> x = randomValues(images * shape.size(), 8);
            std::vector<float> expected(images * shape.channels);
            for (uint64_t n = 0; n < images; ++n)
                globalAveragePool2d(
                    std::span(x).subspan(n * shape.size(), shape.size()), shape,
                    std::span(expected).subspan(n * shape.channels, shape.channels));
            const GpuBuffer gx = session_->upload(x);
            const GpuBuffer gy = session_->deviceBuffer(expected.size());
            compareRelative(
                runAndRead(
                    [&](OpRecorder& r) { recordGlobalAveragePool2d(r, images, shape, gx, gy); }, gy,
                    expected.size()),
                expected);
        }
    }

    void batchNorm_data() {
        QTest::addColumn<bool>("scale");
        QTest::addColumn<bool>("center");
        QTest::addColumn<uint64_t>("channels");
        QTest::newRow("gamma and beta") << true << true << uint64_t(7);
        QTest::newRow("no gamma") << false << true << uint64_t(3);
        QTest::newRow("no beta, one channel") << true << false << uint64_t(1);
    }
    void batchNorm() {
        QFETCH(bool, scale);
        QFETCH(bool, center);
        QFETCH(uint64_t, channels);
        const uint64_t count = channels * 45;
        const std::vector<float> x = randomValues(count, 9, -3, 3);
        const std::vector<float> gamma = scale ? randomValues(channels, 10) : std::vector<float>();
        const std::vector<float> beta = center ? randomValues(channels, 11) : std::vector<float>();
        const std::vector<float> mean = randomValues(channels, 12);
        const std::vector<float> variance = randomValues(channels, 13, 0.1f, 2.0f);
        std::vector<float> expected(count);
        batchNormForward(x, channels, gamma, beta, mean, variance, 1e-3f, expected);
        const GpuBuffer gx = session_->upload(x);
        const GpuBuffer gGamma = session_->upload(gamma);
        const GpuBuffer gBeta = session_->upload(beta);
        const GpuBuffer gMean = session_->upload(mean);
        const GpuBuffer gVariance = session_->upload(variance);
        const GpuBuffer gy = session_->deviceBuffer(count);
        compareRelative(runAndRead(
                            [&](OpRecorder& r) {
                                recordBatchNorm(r, count, channels, gx, scale ? &gGamma : nullptr,
                                                center ? &gBeta : nullptr, gMean, gVariance, 1e-3f,
                                                gy);
                            },
                            gy, count),
                        expected);
    }

    void activation_data() {
        QTest::addColumn<Activation>("activation");
        QTest::addColumn<uint64_t>("channels");
        QTest::newRow("relu") << Activation{ActivationKind::Relu} << uint64_t(1);
        QTest::newRow("leaky relu 0.2") << Activation::leakyRelu(0.2f) << uint64_t(1);
        QTest::newRow("relu capped 6, threshold 0.5")
            << Activation{ActivationKind::Relu, 0.1f, 6.0f, 0.5f} << uint64_t(1);
        QTest::newRow("sigmoid") << Activation{ActivationKind::Sigmoid} << uint64_t(1);
        QTest::newRow("tanh") << Activation{ActivationKind::Tanh} << uint64_t(1);
        QTest::newRow("gelu") << Activation{ActivationKind::Gelu} << uint64_t(1);
        QTest::newRow("swish") << Activation{ActivationKind::Swish} << uint64_t(1);
        QTest::newRow("softmax over 10") << Activation{ActivationKind::Softmax} << uint64_t(10);
        QTest::newRow("softmax over 1") << Activation{ActivationKind::Softmax} << uint64_t(1);
        QTest::newRow("softmax over 1000") << Activation{ActivationKind::Softmax} << uint64_t(1000);
    }
    void activation() {
        QFETCH(Activation, activation);
        QFETCH(uint64_t, channels);
        // Values from -12 to 12, including tiny ones around zero (tanh, gelu near 0).
        std::vector<float> x = randomValues(channels * 300, 14, -12, 12);
        for (size_t i = 0; i < 40 && i < x.size(); ++i)
            x[i] = float(i) * 1e-3f - 0.02f;
        std::vector<float> expected = x;
        applyActivation(activation, expected, channels);
        const GpuBuffer gx = session_->upload(x);
        compareRelative(
            runAndRead(
                [&](OpRecorder& r) { recordActivation(r, activation, gx, x.size(), channels); }, gx,
                x.size()),
            expected);
    }

    void softmaxRows_data() {
        QTest::addColumn<uint64_t>("rows");
        QTest::addColumn<uint64_t>("width");
        QTest::newRow("1x1") << uint64_t(1) << uint64_t(1);
        QTest::newRow("3x257") << uint64_t(3) << uint64_t(257);
        QTest::newRow("4x32000") << uint64_t(4) << uint64_t(32000);
    }
    void softmaxRows() {
        QFETCH(uint64_t, rows);
        QFETCH(uint64_t, width);
        const std::vector<float> x = randomValues(rows * width, 15, -20, 20);
        std::vector<float> expected = x;
        bitlens::softmaxRows(expected, width);
        const GpuBuffer gx = session_->upload(x);
        compareRelative(
            runAndRead([&](OpRecorder& r) { recordSoftmaxRows(r, gx, rows, width); }, gx, x.size()),
            expected);
    }

    void rmsNorm_data() {
        QTest::addColumn<uint64_t>("rows");
        QTest::addColumn<uint64_t>("dim");
        QTest::newRow("1x1") << uint64_t(1) << uint64_t(1);
        QTest::newRow("5x64") << uint64_t(5) << uint64_t(64);
        QTest::newRow("3x4097") << uint64_t(3) << uint64_t(4097);
    }
    void rmsNorm() {
        QFETCH(uint64_t, rows);
        QFETCH(uint64_t, dim);
        const std::vector<float> x = randomValues(rows * dim, 16, -4, 4);
        const std::vector<float> weight = randomValues(dim, 17);
        std::vector<float> expected(x.size());
        bitlens::rmsNorm(x, dim, weight, 1e-5f, expected);
        const GpuBuffer gx = session_->upload(x);
        const GpuBuffer gw = session_->upload(weight);
        const GpuBuffer gy = session_->deviceBuffer(x.size());
        compareRelative(
            runAndRead([&](OpRecorder& r) { recordRmsNorm(r, gx, rows, dim, gw, 1e-5f, gy); }, gy,
                       x.size()),
            expected);
        // In place as well.
        compareRelative(
            runAndRead([&](OpRecorder& r) { recordRmsNorm(r, gx, rows, dim, gw, 1e-5f, gx); }, gx,
                       x.size()),
            expected);
    }

    void rope_data() {
        QTest::addColumn<RopePairing>("pairing");
        QTest::addColumn<uint64_t>("positions");
        QTest::addColumn<uint64_t>("first");
        QTest::addColumn<uint64_t>("heads");
        QTest::addColumn<uint64_t>("headDim");
        QTest::newRow("adjacent 1 position")
            << RopePairing::Adjacent << uint64_t(1) << uint64_t(0) << uint64_t(1) << uint64_t(2);
        QTest::newRow("adjacent 9x6x8 from 3")
            << RopePairing::Adjacent << uint64_t(9) << uint64_t(3) << uint64_t(6) << uint64_t(8);
        QTest::newRow("half split 33x4x64")
            << RopePairing::HalfSplit << uint64_t(33) << uint64_t(0) << uint64_t(4) << uint64_t(64);
        QTest::newRow("half split from 1000") << RopePairing::HalfSplit << uint64_t(5)
                                              << uint64_t(1000) << uint64_t(3) << uint64_t(10);
    }
    void rope() {
        QFETCH(RopePairing, pairing);
        QFETCH(uint64_t, positions);
        QFETCH(uint64_t, first);
        QFETCH(uint64_t, heads);
        QFETCH(uint64_t, headDim);
        const std::vector<float> x = randomValues(positions * heads * headDim, 18, -2, 2);
        std::vector<float> expected = x;
        applyRope(expected, positions, first, heads, headDim, 10000.0f, pairing);
        const GpuBuffer gx = session_->upload(x);
        const GpuBuffer table = session_->upload(ropeTable(positions, first, headDim, 10000.0f));
        compareRelative(runAndRead(
                            [&](OpRecorder& r) {
                                recordRope(r, gx, table, positions, heads, headDim, pairing);
                            },
                            gx, x.size()),
                        expected);
    }

    void ropeScaledFrequencies() {
        // Linear-scaled inverse frequencies (LlamaConfig for rope_scaling linear, factor 4).
        const uint64_t positions = 12, heads = 3, headDim = 8;
        std::vector<double> frequencies = ropeInverseFrequencies(headDim, 500000.0f);
        for (double& frequency : frequencies)
            frequency /= 4;
        const std::vector<float> x = randomValues(positions * heads * headDim, 21, -2, 2);
        std::vector<float> expected = x;
        applyRope(expected, positions, 0, heads, headDim, frequencies, RopePairing::HalfSplit);
        const GpuBuffer gx = session_->upload(x);
        const GpuBuffer table = session_->upload(ropeTable(positions, 0, frequencies));
        compareRelative(runAndRead(
                            [&](OpRecorder& r) {
                                recordRope(r, gx, table, positions, heads, headDim,
                                           RopePairing::HalfSplit);
                            },
                            gx, x.size()),
                        expected);
        QVERIFY_THROWS_EXCEPTION(Error, ropeTable(positions, 0, std::vector<double>{}));
    }

    void addInPlace() {
        for (const uint64_t count : {uint64_t(1), uint64_t(70001)}) {
            const std::vector<float> target = randomValues(count, 22, -5, 5);
            const std::vector<float> values = randomValues(count, 23, -5, 5);
            std::vector<float> expected(count);
            for (size_t i = 0; i < count; ++i)
                expected[i] = target[i] + values[i];
            const GpuBuffer gt = session_->upload(target);
            const GpuBuffer gv = session_->upload(values);
            compareRelative(
                runAndRead([&](OpRecorder& r) { recordAddInPlace(r, count, gt, gv); }, gt, count),
                expected);
            QVERIFY_THROWS_EXCEPTION(
                Error, session_->run([&](OpRecorder& r) { recordAddInPlace(r, count, gt, gt); }));
        }
    }

    void swiGlu() {
        for (const uint64_t count : {uint64_t(1), uint64_t(1000), uint64_t(70001)}) {
            const std::vector<float> gate = randomValues(count, 19, -15, 15);
            const std::vector<float> up = randomValues(count, 20, -3, 3);
            std::vector<float> expected(count);
            bitlens::swiGlu(gate, up, expected);
            const GpuBuffer gg = session_->upload(gate);
            const GpuBuffer gu = session_->upload(up);
            const GpuBuffer gy = session_->deviceBuffer(count);
            compareRelative(
                runAndRead([&](OpRecorder& r) { recordSwiGlu(r, count, gg, gu, gy); }, gy, count),
                expected);
        }
    }

    void attention_data() {
        QTest::addColumn<uint64_t>("positions");
        QTest::addColumn<uint64_t>("heads");
        QTest::addColumn<uint64_t>("kvHeads");
        QTest::addColumn<uint64_t>("headDim");
        QTest::newRow("1 position 1 head")
            << uint64_t(1) << uint64_t(1) << uint64_t(1) << uint64_t(4);
        QTest::newRow("7 positions 4 heads, 2 kv")
            << uint64_t(7) << uint64_t(4) << uint64_t(2) << uint64_t(16);
        QTest::newRow("70 positions 8 heads, 1 kv")
            << uint64_t(70) << uint64_t(8) << uint64_t(1) << uint64_t(6);
        QTest::newRow("130 positions 6 heads, 6 kv, dim 80")
            << uint64_t(130) << uint64_t(6) << uint64_t(6) << uint64_t(80);
    }
    void attention() {
        QFETCH(uint64_t, positions);
        QFETCH(uint64_t, heads);
        QFETCH(uint64_t, kvHeads);
        QFETCH(uint64_t, headDim);
        const std::vector<float> q = randomValues(positions * heads * headDim, 21, -2, 2);
        const std::vector<float> k = randomValues(positions * kvHeads * headDim, 22, -2, 2);
        const std::vector<float> v = randomValues(positions * kvHeads * headDim, 23);
        std::vector<float> expected(q.size());
        causalAttention(q, k, v, positions, heads, kvHeads, headDim, expected);
        const GpuBuffer gq = session_->upload(q);
        const GpuBuffer gk = session_->upload(k);
        const GpuBuffer gv = session_->upload(v);
        const GpuBuffer gy = session_->deviceBuffer(q.size());
        compareRelative(runAndRead(
                            [&](OpRecorder& r) {
                                recordCausalAttention(r, gq, gk, gv, positions, heads, kvHeads,
                                                      headDim, gy);
                            },
                            gy, q.size()),
                        expected);
    }

    void operatorsRefuseBadSizes() {
        const GpuBuffer small = session_->deviceBuffer(4);
        const GpuBuffer other = session_->deviceBuffer(64);
        const auto fails = [&](const std::function<void(OpRecorder&)>& record,
                               const QString& expected) {
            try {
                session_->run(record);
                QFAIL("no error");
            } catch (const Error& error) {
                QVERIFY2(QString(error.what()).contains(expected), error.what());
            }
        };
        fails(
            [&](OpRecorder& r) {
                recordMatMul(r, {2, 4, 4}, small, other, nullptr, other);
            },
            "matmul input buffer holds 4 floats, the operator needs 8");
        fails(
            [&](OpRecorder& r) {
                recordCausalAttention(r, other, other, other, 1, 3, 2, 4, other);
            },
            "attention with 3 heads cannot share 2 key/value heads");
        fails(
            [&](OpRecorder& r) {
                recordCausalAttention(r, other, other, other, kMaxAttentionPositions + 1, 1, 1, 1,
                                      other);
            },
            "at most 2048 positions");
        fails([&](OpRecorder& r) { recordRope(r, other, other, 1, 1, 3, RopePairing::Adjacent); },
              "even head size");
        fails(
            [&](OpRecorder& r) {
                recordActivation(r, Activation{ActivationKind::Softmax}, other, 10, 3);
            },
            "not whole rows of 3");
        // The session still works after a refused recording.
        const GpuBuffer values = session_->upload(std::vector<float>{1, 2});
        QCOMPARE(session_->download(values, 2), (std::vector<float>{1, 2}));
    }

    // A convolutional classifier with random weights: every image layer kind in one model, run
    // by both engines over a batch that is not a multiple of anything.
    void convolutionalClassifier() {
        const json config = test::sequentialConfig(
            {12, 10, 2},
            {test::layerJson("Conv2D", {{"name", "c1"},
                                        {"filters", 6},
                                        {"kernel_size", {3, 3}},
                                        {"padding", "same"},
                                        {"activation", "relu"}}),
             test::layerJson("BatchNormalization", {{"name", "bn"}}),
             test::layerJson("MaxPooling2D", {{"name", "mp"}, {"pool_size", {2, 2}}}),
             test::layerJson("Conv2D", {{"name", "c2"},
                                        {"filters", 5},
                                        {"kernel_size", {3, 2}},
                                        {"strides", {2, 1}},
                                        {"activation", "tanh"}}),
             test::layerJson("LeakyReLU", {{"name", "lr"}, {"alpha", 0.1}}),
             test::layerJson("AveragePooling2D",
                             {{"name", "ap"}, {"pool_size", {2, 2}}, {"padding", "same"}}),
             test::layerJson("Flatten", {{"name", "flat"}}),
             test::layerJson("Dense", {{"name", "d1"}, {"units", 9}, {"activation", "gelu"}}),
             test::layerJson("Dropout", {{"name", "drop"}, {"rate", 0.5}}),
             test::layerJson("Dense", {{"name", "d2"}, {"units", 4}, {"activation", "softmax"}})});
        const KerasModel model = KerasModel::fromConfig(config);
        std::vector<test::TestTensor> tensors;
        uint32_t seed = 100;
        for (const KerasLayer& layer : model.layers())
            for (const WeightSpec& spec : expectedWeights(layer)) {
                uint64_t count = 1;
                for (uint64_t dim : spec.shape)
                    count *= dim;
                const bool variance = spec.role == "moving_variance";
                tensors.push_back({layer.name + "/" + layer.name + "/" + spec.role + ":0",
                                   spec.shape,
                                   randomValues(count, seed++, variance ? 0.5f : -1.0f, 1.0f)});
            }
        QTemporaryDir dir;
        const auto checkpoint = test::makeKerasCheckpoint(dir, config, tensors);
        std::vector<std::vector<size_t>> indices;
        for (const KerasLayer& layer : model.layers())
            indices.push_back(findLayerWeights(*checkpoint, layer));
        const uint64_t images = 300;
        const std::vector<float> inputs = randomValues(images * 12 * 10 * 2, 7, 0, 1);
        std::vector<float> cpu(images * 4);
        std::vector<float> gpu(images * 4);
        CpuClassifierEngine()
            .load(model, indices, *checkpoint, OriginalWeights())
            ->logits(inputs, images, cpu);
        VulkanClassifierEngine(session_)
            .load(model, indices, *checkpoint, OriginalWeights())
            ->logits(inputs, images, gpu);
        compareRelative(gpu, cpu);
        // Batch 1 as well.
        std::vector<float> single(4);
        VulkanClassifierEngine(session_)
            .load(model, indices, *checkpoint, OriginalWeights())
            ->logits(std::span(inputs).subspan(0, 240), 1, single);
        compareRelative(single, std::vector<float>(cpu.begin(), cpu.begin() + 4));
    }

    void mnistClassifier() {
        BITLENS_REQUIRE_SHARED_DATA();
        const auto checkpoint =
            openCheckpoint(test::sharedDataPath("keras/mnist_mlp.h5").toStdString());
        const IdxDataset dataset =
            IdxDataset::load(test::sharedDataPath("mnist/t10k-images-idx3-ubyte.gz").toStdString(),
                             test::sharedDataPath("mnist/t10k-labels-idx1-ubyte.gz").toStdString());
        const float scale = 1.0f / 255.0f;

        // Logits of every test image on both engines.
        ClassifierEvaluator cpuEvaluator(*checkpoint);
        ClassifierEvaluator gpuEvaluator(*checkpoint);
        gpuEvaluator.setEngine(std::make_shared<VulkanClassifierEngine>(session_));
        QVERIFY(gpuEvaluator.engine().name().starts_with("vulkan: "));
        const KerasModel& model = cpuEvaluator.model();
        std::vector<std::vector<size_t>> indices;
        for (const KerasLayer& layer : model.layers())
            indices.push_back(findLayerWeights(*checkpoint, layer));
        std::vector<float> inputs(dataset.size() * dataset.pixelsPerImage());
        for (size_t i = 0; i < dataset.size(); ++i)
            for (size_t p = 0; p < dataset.pixelsPerImage(); ++p)
                inputs[i * dataset.pixelsPerImage() + p] = float(dataset.image(i)[p]) * scale;
        std::vector<float> cpu(dataset.size() * 10);
        std::vector<float> gpu(dataset.size() * 10);
        CpuClassifierEngine()
            .load(model, indices, *checkpoint, OriginalWeights())
            ->logits(inputs, dataset.size(), cpu);
        VulkanClassifierEngine(session_)
            .load(model, indices, *checkpoint, OriginalWeights())
            ->logits(inputs, dataset.size(), gpu);
        compareRelative(gpu, cpu);

        // The same accuracy through the evaluator: 98.00%.
        const ClassifierScore cpuScore = cpuEvaluator.scoreOriginal(dataset, scale);
        const ClassifierScore gpuScore = gpuEvaluator.scoreOriginal(dataset, scale);
        QCOMPARE(cpuScore.correct, uint64_t(9800));
        QCOMPARE(gpuScore.correct, cpuScore.correct);
        QCOMPARE(gpuScore.count, uint64_t(10000));

        // A quantized WeightSource gives the same comparison on both engines.
        const QuantizedWeights int4(formatForKernels(makeFormat("int4-ch-sym")));
        const ClassifierComparison onCpu = cpuEvaluator.compare(dataset, scale, int4);
        const ClassifierComparison onGpu = gpuEvaluator.compare(dataset, scale, int4);
        QCOMPARE(onGpu.original.correct, onCpu.original.correct);
        QCOMPARE(onGpu.quantized.correct, onCpu.quantized.correct);
        QCOMPARE(onGpu.agreeing, onCpu.agreeing);
        QVERIFY(onCpu.quantized.correct != onCpu.original.correct || onCpu.kldMean > 0);
        QVERIFY2(std::abs(onGpu.kldMean - onCpu.kldMean) <= 1e-3 * onCpu.kldMean,
                 qPrintable(QString("KL %1 vs %2").arg(onGpu.kldMean).arg(onCpu.kldMean)));
    }
};

QTEST_GUILESS_MAIN(TestVulkanOps)
#include "tst_vulkan_ops.moc"

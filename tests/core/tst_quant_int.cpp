// SPDX-License-Identifier: MIT
#include "common/FormatRoundTrip.h"
#include "core/quant/FormatRegistry.h"
#include "core/quant/IntegerFormat.h"
#include "core/tensor/FloatBits.h"
#include "core/util/Error.h"

#include <QTest>
#include <cmath>
#include <random>
#include <vector>

using namespace bitlens;
using bitlens::test::bytesOf;
using bitlens::test::dequantize;
using bitlens::test::quantize;

namespace {

std::vector<float> gaussianRows(uint64_t count, uint32_t seed, float sigma) {
    std::mt19937 random(seed);
    std::normal_distribution<float> normal(0.0f, sigma);
    std::vector<float> values(count);
    for (float& value : values)
        value = normal(random);
    for (uint64_t i = 5; i < count; i += 211) // a few outliers
        values[i] *= 6.0f;
    return values;
}

double squaredError(const std::vector<float>& a, const std::vector<float>& b) {
    double sum = 0.0;
    for (size_t i = 0; i < a.size(); ++i)
        sum += (double(a[i]) - b[i]) * (double(a[i]) - b[i]);
    return sum;
}

} // namespace

class TestQuantInt : public QObject {
    Q_OBJECT
private slots:
    void symmetricHandBytes() {
        // absmax 7 -> scale 7 / 7 = 1 (fp16 0x3c00); round half away from zero: 2.5 -> 3, 3.5 -> 4
        std::vector<float> row(32, 0.0f);
        const float head[] = {0, 1, -1, 2.5f, -2.5f, 7, -7, 3.5f, 0.49f};
        std::copy(std::begin(head), std::end(head), row.begin());
        const auto format = makeFormat("int4-g32-sym");
        const MatrixShape shape{1, 32};
        QCOMPARE(format->packedBytes(shape), uint64_t(18));
        const auto packed = quantize(*format, row, shape);
        std::vector<uint8_t> expected = {0x00, 0x3c, 0x10, 0x3f, 0x7d, 0x49};
        expected.resize(18, 0x00);
        QCOMPARE(bytesOf(packed), expected);
        const auto back = dequantize(*format, packed, shape);
        const float expectedBack[] = {0, 1, -1, 3, -3, 7, -7, 4, 0};
        for (int i = 0; i < 9; ++i)
            QCOMPARE(back[i], expectedBack[i]);
    }
    void asymmetricHandBytes() {
        // range [-1, 14] -> scale 15 / 15 = 1, zero point round(1 / 1) = 1; fields: zero first
        std::vector<float> row(32, 0.0f);
        const float head[] = {-1, 14, 0, 2.5f, 0.5f, -0.5f};
        std::copy(std::begin(head), std::end(head), row.begin());
        const auto format = makeFormat("int4-g32-asym");
        const MatrixShape shape{1, 32};
        QCOMPARE(format->packedBytes(shape), uint64_t(2 + 17)); // 33 four-bit fields
        const auto packed = quantize(*format, row, shape);
        std::vector<uint8_t> expected = {0x00, 0x3c, 0x01, 0x1f, 0x24, 0x10};
        expected.resize(18, 0x11);
        expected.push_back(0x01); // last code, high nibble padding
        QCOMPARE(bytesOf(packed), expected);
        const auto back = dequantize(*format, packed, shape);
        const float expectedBack[] = {-1, 14, 0, 3, 1, -1, 0};
        for (int i = 0; i < 7; ++i)
            QCOMPARE(back[i], expectedBack[i]);
    }
    void scaleIsStoredRoundedUpAndUsedForCodes() {
        // absmax 2: raw scale 2/7 = 0.285714..; fp16 RNE gives 0x3492 (0.28564), below the raw
        // scale, so the stored scale is the next fp16, 0x3493 (0.28589).
        std::vector<float> row(32, 0.0f);
        row[0] = 2.0f;
        row[1] = -0.3f;
        const auto format = makeFormat("int4-g32-sym");
        const auto packed = quantize(*format, row, {1, 32});
        QCOMPARE(uint8_t(packed[0]), uint8_t(0x93));
        QCOMPARE(uint8_t(packed[1]), uint8_t(0x34));
        const float stored = halfToFloat(0x3493);
        QVERIFY(stored >= 2.0f / 7.0f);
        const auto back = dequantize(*format, packed, {1, 32});
        QCOMPARE(back[0], 7.0f * stored);
        QCOMPARE(back[1], -1.0f * stored);
        // fp32 scale: stored exactly as the float division
        const auto fp32 = makeFormat("int4-g32-sym-fp32");
        QCOMPARE(fp32->packedBytes({1, 32}), uint64_t(4 + 16));
        const auto packed32 = quantize(*fp32, row, {1, 32});
        const float scale32 = 2.0f / 7.0f;
        QCOMPARE(std::memcmp(packed32.data(), &scale32, 4), 0);
    }
    void tensorAndChannelLayouts() {
        // int3-tensor-asym: fp16 scale, one zero byte, then each row's 3-bit codes padded
        const std::vector<float> values = {0, 1, 2, 3, 4, 5, 6, 7, -7, -6, -5, -4, -3, -2, -1, 0};
        const auto tensor = makeFormat("int3-tensor-asym");
        const MatrixShape shape{2, 8};
        QCOMPARE(tensor->packedBytes(shape), uint64_t(2 + 1 + 2 * 3));
        QCOMPARE(tensor->blockLength(8), uint64_t(0));
        const auto packed = quantize(*tensor, values, shape);
        // range [-7, 7]: scale 14 / 7 = 2, zero round(7 / 2) = round(3.5) = 4
        QCOMPARE(halfToFloat(uint16_t(uint8_t(packed[0]) | uint8_t(packed[1]) << 8)), 2.0f);
        QCOMPARE(uint8_t(packed[2]), uint8_t(4));
        const auto back = dequantize(*tensor, packed, shape);
        for (size_t i = 0; i < values.size(); ++i)
            QVERIFY(std::fabs(back[i] - values[i]) <= 1.0f);
        // per-channel: one scale unit per row
        const auto channel = makeFormat("int8-ch-sym");
        QCOMPARE(channel->blockLength(8), uint64_t(8));
        QCOMPARE(channel->packedBytes(shape), uint64_t(2 * (2 + 8)));
        const auto channelPacked = quantize(*channel, values, shape);
        QCOMPARE(uint8_t(channelPacked[2 + 7]), uint8_t(127));   // 7 / (7 / 127)
        QCOMPARE(uint8_t(channelPacked[10 + 2]), uint8_t(0x81)); // -7 -> -127
    }
    void zeroGroupGivesZeroCodes() {
        for (const char* id : {"int4-g32-sym", "int5-g32-asym", "int8-tensor-asym-fp32"}) {
            const auto format = makeFormat(id);
            const std::vector<float> zeros(64, 0.0f);
            const auto packed = quantize(*format, zeros, {2, 32});
            for (std::byte b : packed)
                QCOMPARE(uint8_t(b), uint8_t(0));
            for (float value : dequantize(*format, packed, {2, 32}))
                QCOMPARE(value, 0.0f);
        }
    }
    void errorWithinHalfStoredScale_data() {
        QTest::addColumn<QString>("id");
        for (const char* id :
             {"int2-g32-sym", "int3-g64-asym", "int4-g128-sym", "int4-g128-asym", "int5-g256-asym",
              "int6-ch-sym", "int7-ch-asym", "int8-g32-sym", "int8-g32-asym", "int8-tensor-sym",
              "int4-tensor-asym", "int4-g96-asym-fp32", "int3-g32-sym-fp32"})
            QTest::newRow(id) << QString(id);
    }
    void errorWithinHalfStoredScale() {
        QFETCH(QString, id);
        const auto format = makeFormat(id.toStdString());
        const auto& params = dynamic_cast<const IntegerFormat&>(*format).params();
        const MatrixShape shape{16, 768};
        const auto values = gaussianRows(shape.elements(), 3, 0.02f);
        const auto packed = quantize(*format, values, shape);
        const auto back = dequantize(*format, packed, shape);
        const uint64_t block = format->blockLength(shape.rowLength);
        for (uint64_t row = 0; row < shape.rows; ++row) {
            for (uint64_t b = 0; b < (block ? shape.rowLength / block : 1); ++b) {
                const auto codes = format->blockCodes(packed, shape, row, b);
                QVERIFY(codes.has_value());
                const float scale = float(codes->parameters.front().second);
                const uint64_t length = block ? block : shape.rowLength;
                for (uint64_t i = 0; i < length; ++i) {
                    const uint64_t at = row * shape.rowLength + b * length + i;
                    const float bound = scale * 0.5f * 1.0001f + std::fabs(values[at]) * 1e-6f;
                    if (std::fabs(back[at] - values[at]) > bound)
                        QFAIL(qPrintable(QString("%1: value %2 -> %3, scale %4")
                                             .arg(id)
                                             .arg(values[at])
                                             .arg(back[at])
                                             .arg(scale)));
                }
            }
        }
        QCOMPARE(params.mseSearch, false);
    }
    void mseSearchNeverWorse_data() {
        QTest::addColumn<QString>("id");
        for (const char* id : {"int3-g128-sym", "int4-g128-sym", "int4-g64-asym", "int2-ch-asym",
                               "int8-g32-sym", "int4-tensor-sym"})
            QTest::newRow(id) << QString(id);
    }
    void mseSearchNeverWorse() {
        QFETCH(QString, id);
        const MatrixShape shape{8, 1024};
        const auto values = gaussianRows(shape.elements(), 5, 1.0f);
        const auto plain = makeFormat(id.toStdString());
        const auto mse = makeFormat(id.toStdString() + "-mse");
        const double plainError =
            squaredError(dequantize(*plain, quantize(*plain, values, shape), shape), values);
        const double mseError =
            squaredError(dequantize(*mse, quantize(*mse, values, shape), shape), values);
        QVERIFY2(mseError <= plainError * (1.0 + 1e-6),
                 qPrintable(QString("mse %1 plain %2").arg(mseError).arg(plainError)));
        if (!id.startsWith("int8"))
            QVERIFY(mseError < plainError * 0.97); // outliers make clipping pay at low bits
    }
    void mseSearchPicksFirstMinimum() {
        // One value: every clipping factor below 1 only adds error, so the plain scale wins.
        std::vector<float> row(32, 0.0f);
        row[3] = 1.0f;
        const auto mse = makeFormat("int4-g32-sym-mse");
        const auto plain = makeFormat("int4-g32-sym");
        QCOMPARE(bytesOf(quantize(*mse, row, {1, 32})), bytesOf(quantize(*plain, row, {1, 32})));
    }
    void idsParseAndReject() {
        const auto format = makeFormat("int3-g96-asym-fp32-mse");
        QCOMPARE(format->id(), std::string("int3-g96-asym-fp32-mse"));
        QCOMPARE(format->family(), FormatFamily::Integer);
        QCOMPARE(format->blockLength(960), uint64_t(96));
        QVERIFY(format->unsupportedReason(960).empty());
        const std::string reason = format->unsupportedReason(100);
        QVERIFY(reason.find("100") != std::string::npos && reason.find("96") != std::string::npos);
        QVERIFY(!makeFormat("int4-ch-sym")->unsupportedReason(0).empty());
        for (const char* bad : {"int9-g128-sym", "int1-g32-sym", "int4-g0-sym", "int4-g032-sym",
                                "int4-g32-foo", "int4-g32-sym-mse-fp32", "int4-g32-sym-fp16",
                                "int4", "int4-gx-sym", "int4-g99999999999-sym", "int-g32-sym"}) {
            try {
                makeFormat(bad);
                QFAIL(bad);
            } catch (const Error& error) {
                QVERIFY2(std::string(error.what()).find(bad) != std::string::npos, error.what());
            }
        }
        try {
            makeFormat("int9-g128-sym");
        } catch (const Error& error) {
            QVERIFY(std::string(error.what()).find("2..8") != std::string::npos);
        }
        std::vector<float> values(100, 0.5f);
        std::vector<std::byte> packed(64);
        QVERIFY_THROWS_EXCEPTION(Error,
                                 makeFormat("int4-g32-sym")->quantize(values, {1, 100}, packed));
    }
};

QTEST_GUILESS_MAIN(TestQuantInt)
#include "tst_quant_int.moc"

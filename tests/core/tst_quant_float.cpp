// SPDX-License-Identifier: MIT
#include "common/FormatRoundTrip.h"
#include "core/quant/FormatRegistry.h"
#include "core/quant/MicroscalingFormat.h"
#include "core/quant/NormalFloatFormat.h"
#include "core/quant/Nvfp4Format.h"

#include <QTest>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <random>
#include <vector>

using namespace bitlens;
using bitlens::test::bytesOf;
using bitlens::test::dequantize;
using bitlens::test::quantize;

namespace {

float f32At(const std::vector<std::byte>& packed, size_t offset) {
    float value;
    std::memcpy(&value, packed.data() + offset, 4);
    return value;
}

// A row of `length` zeros starting with `head`.
std::vector<float> rowWith(std::initializer_list<float> head, size_t length) {
    std::vector<float> row(head);
    row.resize(length, 0.0f);
    return row;
}

void compareHead(const std::vector<float>& actual, std::initializer_list<float> expected) {
    size_t i = 0;
    for (float value : expected)
        QCOMPARE(actual[i++], value);
}

} // namespace

class TestQuantFloat : public QObject {
    Q_OBJECT
private slots:
    void nf4LevelsAndTies() {
        QCOMPARE(kNf4Levels[0], -1.0f);
        QCOMPARE(kNf4Levels[7], 0.0f);
        QCOMPARE(kNf4Levels[8], 0.07958029955625534f);
        QCOMPARE(kNf4Levels[14], 0.7229568362236023f);
        QCOMPARE(kNf4Levels[15], 1.0f);
        for (uint8_t code = 0; code < 16; ++code) {
            QCOMPARE(fourBitCode(kNf4Levels[code], FourBitKind::NF4), code);
            QCOMPARE(fourBitLevel(code, FourBitKind::NF4), kNf4Levels[code]);
        }
        const float midpoint = (kNf4Levels[8] + kNf4Levels[9]) * 0.5f;
        QCOMPARE(fourBitCode(midpoint, FourBitKind::NF4), uint8_t(8)); // tie: lower index
        QCOMPARE(fourBitCode(std::nextafter(midpoint, 1.0f), FourBitKind::NF4), uint8_t(9));
        QCOMPARE(fourBitCode(-1.5f, FourBitKind::NF4), uint8_t(0));
        QCOMPARE(fourBitCode(1.5f, FourBitKind::NF4), uint8_t(15));
        QCOMPARE(fourBitCode(1.0f, FourBitKind::FP4), uint8_t(7));
        QCOMPARE(fourBitCode(-0.5f, FourBitKind::FP4), uint8_t(13));
        QCOMPARE(fourBitLevel(7, FourBitKind::FP4), 1.0f);
        QCOMPARE(fourBitLevel(13, FourBitKind::FP4), -0.5f);
    }
    void nf4HandBytes() {
        std::vector<float> row(64);
        for (size_t i = 0; i < row.size(); ++i)
            row[i] = kNf4Levels[i % 16] * 2.0f;
        const auto format = makeFormat("nf4");
        QCOMPARE(format->packedBytes({1, 64}), uint64_t(36));
        const auto packed = quantize(*format, row, {1, 64});
        std::vector<uint8_t> expected = {0x00, 0x00, 0x00, 0x40};
        for (int repeat = 0; repeat < 4; ++repeat)
            for (uint8_t byte : {0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef})
                expected.push_back(byte); // first value in the high nibble
        QCOMPARE(bytesOf(packed), expected);
        QCOMPARE(dequantize(*format, packed, {1, 64}), row);
    }
    void fp4HandBytes() {
        const auto row = rowWith({12.0f, -6.0f, 1.5f}, 64);
        const auto format = makeFormat("fp4");
        const auto packed = quantize(*format, row, {1, 64});
        std::vector<uint8_t> expected = {0x00, 0x00, 0x40, 0x41, 0x7d, 0x20};
        expected.resize(36, 0x00);
        QCOMPARE(bytesOf(packed), expected);
        compareHead(dequantize(*format, packed, {1, 64}), {12.0f, -6.0f, 2.0f, 0.0f});
    }
    void doubleQuantSpansRows() {
        // 3 rows of 100 blocks: 300 block absmax values in 2 chunks (256 + 44)
        const MatrixShape shape{3, 6400};
        const auto format = makeFormat("nf4-dq");
        QCOMPARE(format->packedBytes(shape), uint64_t(4 + 2 * 4 + 300 + 300 * 32));
        std::mt19937 random(17);
        std::normal_distribution<float> normal(0.0f, 0.05f);
        std::vector<float> values(shape.elements());
        for (float& value : values)
            value = normal(random);
        const auto packed = quantize(*format, values, shape);
        std::vector<float> absmax(300, 0.0f);
        float sum = 0.0f;
        for (size_t block = 0; block < 300; ++block) {
            for (size_t i = 0; i < 64; ++i)
                absmax[block] = std::max(absmax[block], std::fabs(values[block * 64 + i]));
            sum = sum + absmax[block];
        }
        QCOMPARE(f32At(packed, 0), sum / 300.0f);
        for (uint64_t block = 0; block < 300; ++block) {
            const float chunkScale = f32At(packed, 4 + 4 * (block / 256));
            QVERIFY(chunkScale > 0.0f);
            const auto codes = format->blockCodes(packed, shape, block / 100, block % 100);
            const double decoded = codes->parameters.front().second;
            QVERIFY(std::fabs(decoded - absmax[block]) <= chunkScale * 0.5 * 1.0001);
        }
        // Compared with plain NF4 the error grows only a little.
        const auto plain = makeFormat("nf4");
        const auto plainBack = dequantize(*plain, quantize(*plain, values, shape), shape);
        const auto back = dequantize(*format, packed, shape);
        double plainError = 0.0, error = 0.0;
        for (size_t i = 0; i < values.size(); ++i) {
            plainError += std::pow(double(plainBack[i]) - values[i], 2);
            error += std::pow(double(back[i]) - values[i], 2);
        }
        QVERIFY(error < plainError * 1.02);
        QCOMPARE(makeFormat("fp4-dq")->packedBytes(shape), format->packedBytes(shape));
    }
    void fp8HandBytes() {
        const auto e4m3 = makeFormat("fp8-e4m3");
        QCOMPARE(e4m3->packedBytes({1, 4}), uint64_t(8));
        const auto packed = quantize(*e4m3, {896.0f, 1.0f, -2.0f, 0.001f}, {1, 4});
        const std::vector<uint8_t> expected = {0x00, 0x00, 0x00, 0x40, 0x7e, 0x30, 0xb8, 0x00};
        QCOMPARE(bytesOf(packed), expected);
        compareHead(dequantize(*e4m3, packed, {1, 4}), {896.0f, 1.0f, -2.0f, 0.0f});

        const auto e5m2 = makeFormat("fp8-e5m2-ch");
        QCOMPARE(e5m2->packedBytes({2, 2}), uint64_t(12));
        const auto channel = quantize(*e5m2, {172032.0f, 3.0f, 0.0f, 0.0f}, {2, 2});
        const std::vector<uint8_t> expectedChannel = {0x00, 0x00, 0x40, 0x40, 0x7b, 0x3c,
                                                      0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
        QCOMPARE(bytesOf(channel), expectedChannel);
        compareHead(dequantize(*e5m2, channel, {2, 2}), {172032.0f, 3.0f, 0.0f, 0.0f});
    }
    void mxSharedExponent() {
        QCOMPARE(bitlens::mxSharedExponent(5.0f, MxElement::E2M1), 0);     // floor(log2 5) - 2
        QCOMPARE(bitlens::mxSharedExponent(1000.0f, MxElement::E4M3), 1);  // 9 - 8
        QCOMPARE(bitlens::mxSharedExponent(1000.0f, MxElement::E5M2), -6); // 9 - 15
        QCOMPARE(bitlens::mxSharedExponent(100.0f, MxElement::E3M2), 2);   // 6 - 4
        QCOMPARE(bitlens::mxSharedExponent(7.5f, MxElement::E2M3), 0);     // 2 - 2
        QCOMPARE(bitlens::mxSharedExponent(1.5f, MxElement::Int8), 0);     // 0 - 0
        QCOMPARE(bitlens::mxSharedExponent(0.0f, MxElement::E4M3), -127);
        QCOMPARE(bitlens::mxSharedExponent(1e-39f, MxElement::E4M3), -127); // clamped
        QCOMPARE(bitlens::mxSharedExponent(FLT_MAX, MxElement::Int8), 127);
        QCOMPARE(bitlens::mxSharedExponent(FLT_MAX, MxElement::E2M1), 125);
    }
    void mxHandBytes() {
        struct Case {
            const char* id;
            std::vector<float> head;
            std::vector<uint8_t> bytes; // leading packed bytes; the rest are zero
            std::vector<float> back;
        };
        const Case cases[] = {
            {"mxfp4", {5.0f, -1.25f, 0.25f, 3.0f}, {0x7f, 0xa6, 0x50}, {4.0f, -1.0f, 0.0f, 3.0f}},
            {"mxfp8-e4m3", {1000.0f, 1.0f}, {0x80, 0x7e, 0x30}, {896.0f, 1.0f}},
            {"mxint8",
             {1.5f, -0.7f, 0.0078125f},
             {0x7f, 0x60, 0xd3, 0x00},
             {1.5f, -0.703125f, 0.0f}},
            {"mxfp6-e2m3",
             {7.5f, -0.125f, 0.0625f},
             {0x7f, 0x5f, 0x08, 0x00},
             {7.5f, -0.125f, 0.0f}},
            {"mxfp6-e3m2", {100.0f}, {0x81, 0x1e}, {96.0f}},
            {"mxfp8-e5m2", {}, {0x00}, {0.0f}},
        };
        for (const Case& c : cases) {
            const auto format = makeFormat(c.id);
            std::vector<float> row(c.head);
            row.resize(32, 0.0f);
            const auto packed = quantize(*format, row, {1, 32});
            std::vector<uint8_t> expected(c.bytes);
            expected.resize(format->packedBytes({1, 32}), 0x00);
            QVERIFY2(bytesOf(packed) == expected, c.id);
            const auto back = dequantize(*format, packed, {1, 32});
            for (size_t i = 0; i < c.back.size(); ++i)
                QCOMPARE(back[i], c.back[i]);
        }
        // E8M0 0xFF is NaN
        const auto format = makeFormat("mxfp8-e4m3");
        std::vector<std::byte> nanBlock(33, std::byte{0x38});
        nanBlock[0] = std::byte{0xff};
        QVERIFY(std::isnan(dequantize(*format, nanBlock, {1, 32})[0]));
    }
    void nvfp4HandBytes() {
        std::vector<float> row = rowWith({2688.0f, 448.0f, -224.0f}, 16);
        const auto second = rowWith({12.0f, 3.0f}, 16);
        row.insert(row.end(), second.begin(), second.end());
        const auto format = makeFormat("nvfp4");
        QCOMPARE(format->packedBytes({1, 32}), uint64_t(4 + 2 * 9));
        const auto packed = quantize(*format, row, {1, 32});
        std::vector<uint8_t> expected = {0x00, 0x00, 0x80, 0x3f, 0x7e, 0x27, 0x09};
        expected.resize(13, 0x00);
        expected.push_back(0x40);
        expected.push_back(0x37);
        expected.resize(22, 0x00);
        QCOMPARE(bytesOf(packed), expected);
        QCOMPARE(dequantize(*format, packed, {1, 32}), row);
        // The recipe's pieces
        QCOMPARE(nvfp4GlobalScale(2688.0f), 1.0f);
        QCOMPARE(nvfp4BlockScaleCode(12.0f, 1.0f), uint8_t(0x40));
        QCOMPARE(nvfp4BlockScaleCode(12.0f, 0.0f), uint8_t(0x00));
        QCOMPARE(nvfp4EffectiveScale(0x40, 0.5f), 1.0f);
    }
    void allZeroTensors() {
        for (const char* id :
             {"nf4", "fp4-dq", "fp8-e4m3", "fp8-e5m2-ch", "mxfp4", "mxint8", "nvfp4"}) {
            const auto format = makeFormat(id);
            const std::vector<float> zeros(128, 0.0f);
            const auto back = dequantize(*format, quantize(*format, zeros, {2, 64}), {2, 64});
            for (float value : back)
                QVERIFY2(value == 0.0f, id);
        }
    }
};

QTEST_GUILESS_MAIN(TestQuantFloat)
#include "tst_quant_float.moc"

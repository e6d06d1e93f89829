// SPDX-License-Identifier: MIT
#include "core/quant/PackedBytes.h"
#include "core/tensor/FloatBits.h"
#include "core/tensor/Rounding.h"

#include <QTest>
#include <cmath>
#include <random>
#include <vector>

using namespace bitlens;

Q_DECLARE_METATYPE(bitlens::MinifloatSpec)

class TestMinifloat : public QObject {
    Q_OBJECT
private slots:
    void everyCodeRoundTrips_data() {
        QTest::addColumn<MinifloatSpec>("spec");
        QTest::addColumn<float>("maxFinite");
        QTest::addColumn<int>("finiteCodes"); // per sign
        QTest::newRow("e4m3") << kE4M3 << 448.0f << 127;
        QTest::newRow("e5m2") << kE5M2 << 57344.0f << 124;
        QTest::newRow("e2m3") << kE2M3 << 7.5f << 32;
        QTest::newRow("e3m2") << kE3M2 << 28.0f << 32;
        QTest::newRow("e2m1") << kE2M1 << 6.0f << 8;
    }
    void everyCodeRoundTrips() {
        QFETCH(MinifloatSpec, spec);
        QFETCH(float, maxFinite);
        QFETCH(int, finiteCodes);
        QCOMPARE(minifloatMaxFinite(spec), maxFinite);
        const int codes = 1 << (1 + spec.exponentBits + spec.mantissaBits);
        int finite = 0;
        float previous = -1.0f;
        for (int code = 0; code < codes; ++code) {
            const float value = minifloatToFloat(uint8_t(code), spec);
            if (std::isnan(value)) {
                QVERIFY(std::isnan(minifloatToFloat(floatToMinifloat(value, spec), spec)));
                continue;
            }
            if (std::isinf(value)) { // E5M2 infinities saturate to the largest finite value
                QCOMPARE(floatToMinifloat(value, spec), uint8_t(code - 1));
                continue;
            }
            QCOMPARE(floatToMinifloat(value, spec), uint8_t(code));
            if (code < codes / 2) {
                ++finite;
                QVERIFY(value > previous); // positive codes ascend
                previous = value;
            } else {
                QCOMPARE(value, -minifloatToFloat(uint8_t(code - codes / 2), spec));
            }
        }
        QCOMPARE(finite, finiteCodes);
    }
    // The encoder against a brute-force search: the nearest finite code (in double), ties to
    // the even code, saturating at the largest finite value.
    void encoderMatchesNearestSearch_data() { everyCodeRoundTrips_data(); }
    void encoderMatchesNearestSearch() {
        QFETCH(MinifloatSpec, spec);
        QFETCH(float, maxFinite);
        QFETCH(int, finiteCodes);
        std::mt19937 random(11);
        std::uniform_real_distribution<float> mantissa(-1.0f, 1.0f);
        std::uniform_int_distribution<int> exponent(-20, 1);
        const int signBit = 1 << (spec.exponentBits + spec.mantissaBits);
        for (int trial = 0; trial < 20000; ++trial) {
            const float value = std::ldexp(mantissa(random), exponent(random)) * maxFinite;
            const double magnitude = std::fabs(double(value));
            int best = finiteCodes - 1;
            if (magnitude < maxFinite) {
                double bestDistance = INFINITY;
                for (int code = 0; code < finiteCodes; ++code) {
                    const double distance =
                        std::fabs(double(minifloatToFloat(uint8_t(code), spec)) - magnitude);
                    if (distance < bestDistance || (distance == bestDistance && code % 2 == 0)) {
                        best = code;
                        bestDistance = distance;
                    }
                }
            }
            const int expected = best | (value < 0 ? signBit : 0);
            QCOMPARE(int(floatToMinifloat(value, spec)), expected);
        }
    }
    void roundsTiesToEven() {
        QCOMPARE(floatToE4m3(1.0625f), uint8_t(0x38)); // 1 | 1.125: even mantissa 0
        QCOMPARE(floatToE4m3(1.1875f), uint8_t(0x3a)); // 1.125 | 1.25: even mantissa 2
        QCOMPARE(floatToE4m3(std::nextafter(1.0625f, 2.0f)), uint8_t(0x39));
        QCOMPARE(floatToE4m3(std::ldexp(1.0f, -10)), uint8_t(0x00)); // 0 | 2^-9 subnormal tie
        QCOMPARE(floatToE4m3(std::ldexp(3.0f, -10)), uint8_t(0x02));
        QCOMPARE(floatToE4m3(std::ldexp(1.5f, -10)), uint8_t(0x01));
        QCOMPARE(floatToE4m3(0.9375f * 0.015625f), uint8_t(0x08)); // 15/16 * 2^-6 -> 2^-6 (carry)
        QCOMPARE(floatToE5m2(1.125f), uint8_t(0x3c));              // 1 | 1.25
        QCOMPARE(floatToE5m2(1.375f), uint8_t(0x3e));              // 1.25 | 1.5
        const float e2m1Ties[] = {0.25f, 0.75f, 1.25f, 1.75f, 2.5f, 3.5f, 5.0f};
        const uint8_t e2m1Codes[] = {0, 2, 2, 4, 4, 6, 6};
        for (int i = 0; i < 7; ++i) {
            QCOMPARE(floatToMinifloat(e2m1Ties[i], kE2M1), e2m1Codes[i]);
            QCOMPARE(floatToMinifloat(-e2m1Ties[i], kE2M1), uint8_t(e2m1Codes[i] | 0x8));
        }
    }
    void saturatesAndKeepsSpecials() {
        QCOMPARE(floatToE4m3(448.0f), uint8_t(0x7e));
        QCOMPARE(floatToE4m3(464.0f), uint8_t(0x7e)); // would round to the NaN pattern
        QCOMPARE(floatToE4m3(1e30f), uint8_t(0x7e));
        QCOMPARE(floatToE4m3(-1e30f), uint8_t(0xfe));
        QCOMPARE(floatToE4m3(INFINITY), uint8_t(0x7e));
        QCOMPARE(floatToE5m2(61440.0f), uint8_t(0x7b));
        QCOMPARE(floatToE5m2(-INFINITY), uint8_t(0xfb));
        QCOMPARE(floatToMinifloat(7.0f, kE2M1), uint8_t(0x7));
        QCOMPARE(floatToMinifloat(100.0f, kE3M2), uint8_t(0x1f));
        QCOMPARE(floatToE4m3(NAN), uint8_t(0x7f));
        QCOMPARE(floatToE5m2(NAN), uint8_t(0x7e));
        QCOMPARE(floatToMinifloat(NAN, kE2M1), uint8_t(0));
        QCOMPARE(floatToE4m3(-0.0f), uint8_t(0x80));
        QCOMPARE(floatToE4m3(-1e-10f), uint8_t(0x80));
        QCOMPARE(floatToE4m3(std::ldexp(1.0f, -140)), uint8_t(0x00)); // float32 subnormal
        QCOMPARE(e4m3ToFloat(0x08), std::ldexp(1.0f, -6));            // smallest normal
        QCOMPARE(minifloatToFloat(0x01, kE2M3), 0.125f);              // smallest subnormal
        QCOMPARE(minifloatToFloat(0x01, kE3M2), 0.0625f);
    }
    void roundingHelpers() {
        const float trap = 0.49999997f; // floor(x + 0.5) would give 1
        QCOMPARE(roundHalfAwayFromZero(trap), 0.0f);
        QCOMPARE(roundHalfAwayFromZero(0.5f), 1.0f);
        QCOMPARE(roundHalfAwayFromZero(-0.5f), -1.0f);
        QCOMPARE(roundHalfAwayFromZero(2.5f), 3.0f);
        QCOMPARE(roundHalfAwayFromZero(-2.4f), -2.0f);
        QCOMPARE(roundHalfToEven(trap), 0.0f);
        QCOMPARE(roundHalfToEven(0.5f), 0.0f);
        QCOMPARE(roundHalfToEven(1.5f), 2.0f);
        QCOMPARE(roundHalfToEven(2.5f), 2.0f);
        QCOMPARE(roundHalfToEven(-2.5f), -2.0f);
        QCOMPARE(roundHalfToEven(-3.5f), -4.0f);
        QCOMPARE(roundHalfToEven(16777216.0f), 16777216.0f);
    }
    void bitFieldsPackLsbFirst() {
        const uint8_t sixBit[] = {1, 2, 3, 63};
        std::vector<std::byte> packed(bitFieldBytes(4, 6));
        QCOMPARE(packed.size(), size_t(3));
        packBitFields(sixBit, 6, packed);
        QCOMPARE(uint8_t(packed[0]), uint8_t(0x81));
        QCOMPARE(uint8_t(packed[1]), uint8_t(0x30));
        QCOMPARE(uint8_t(packed[2]), uint8_t(0xfc));
        const uint8_t nibbles[] = {0x3, 0xa, 0x5};
        std::vector<std::byte> two(bitFieldBytes(3, 4));
        packBitFields(nibbles, 4, two);
        QCOMPARE(uint8_t(two[0]), uint8_t(0xa3));
        QCOMPARE(uint8_t(two[1]), uint8_t(0x05)); // padding bits are zero
        std::mt19937 random(7);
        for (unsigned bits = 1; bits <= 8; ++bits) {
            std::vector<uint8_t> codes(37);
            for (uint8_t& code : codes)
                code = uint8_t(random() & ((1u << bits) - 1u));
            std::vector<std::byte> bytes(bitFieldBytes(codes.size(), bits));
            packBitFields(codes, bits, bytes);
            std::vector<uint8_t> back(codes.size());
            unpackBitFields(bytes, bits, back);
            QCOMPARE(back, codes);
        }
    }
};

QTEST_GUILESS_MAIN(TestMinifloat)
#include "tst_minifloat.moc"

// SPDX-License-Identifier: MIT
#include "core/tensor/DType.h"
#include "core/tensor/FloatBits.h"

#include <QTest>
#include <cmath>

using namespace bitlens;

class TestDType : public QObject {
    Q_OBJECT
private slots:
    void safetensorsNames() {
        QCOMPARE(dtypeFromSafetensorsName("BF16").value(), DType::BF16);
        QCOMPARE(dtypeFromSafetensorsName("F8_E5M2").value(), DType::F8_E5M2);
        QVERIFY(!dtypeFromSafetensorsName("Q4_0").has_value());
        QVERIFY(!dtypeFromSafetensorsName("F12").has_value());
    }
    void ggmlIds() {
        QCOMPARE(dtypeFromGgmlTypeId(12).value(), DType::Q4_K);
        QCOMPARE(dtypeFromGgmlTypeId(30).value(), DType::BF16);
        QCOMPARE(dtypeFromGgmlTypeId(39).value(), DType::MXFP4);
        QVERIFY(!dtypeFromGgmlTypeId(4).has_value()); // removed Q4_2
        QCOMPARE(dtypeInfo(DType::Q6_K).blockBytes, 210u);
    }
    void halfRoundTrip() {
        QCOMPARE(halfToFloat(0x3c00), 1.0f);
        QCOMPARE(halfToFloat(0xc000), -2.0f);
        QCOMPARE(halfToFloat(0x0001), std::ldexp(1.0f, -24));
        QCOMPARE(halfToFloat(0x7bff), 65504.0f);
        QCOMPARE(floatToHalf(65504.0f), uint16_t(0x7bff));
        QCOMPARE(floatToHalf(65520.0f), uint16_t(0x7c00)); // tie rounds to even: infinity
        QCOMPARE(floatToHalf(1.0f + std::ldexp(1.0f, -11)), uint16_t(0x3c00)); // tie to even
        QCOMPARE(floatToHalf(std::ldexp(1.0f, -25)), uint16_t(0x0000));        // tie to even zero
        QCOMPARE(floatToHalf(std::ldexp(3.0f, -26)), uint16_t(0x0001));
        QVERIFY(std::isnan(halfToFloat(floatToHalf(NAN))));
        for (uint32_t bits = 0; bits < 0x7c00; ++bits)
            QCOMPARE(floatToHalf(halfToFloat(uint16_t(bits))), uint16_t(bits));
    }
    void bf16() {
        QCOMPARE(bf16ToFloat(0x3f80), 1.0f);
        QCOMPARE(floatToBf16(1.0f), uint16_t(0x3f80));
        QCOMPARE(floatToBf16(std::bit_cast<float>(0x3f808000u)), uint16_t(0x3f80)); // tie to even
        QCOMPARE(floatToBf16(std::bit_cast<float>(0x3f818000u)), uint16_t(0x3f82));
    }
    void fp8Decode() {
        QCOMPARE(e4m3ToFloat(0x7e), 448.0f);
        QCOMPARE(e4m3ToFloat(0x01), std::ldexp(1.0f, -9));
        QCOMPARE(e4m3ToFloat(0x38), 1.0f);
        QVERIFY(std::isnan(e4m3ToFloat(0x7f)));
        QCOMPARE(e5m2ToFloat(0x7b), 57344.0f);
        QCOMPARE(e5m2ToFloat(0x3c), 1.0f);
        QVERIFY(std::isinf(e5m2ToFloat(0x7c)));
    }
};

QTEST_GUILESS_MAIN(TestDType)
#include "tst_dtype.moc"

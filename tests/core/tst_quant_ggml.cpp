// SPDX-License-Identifier: MIT
#include "common/TestData.h"
#include "core/quant/FormatRegistry.h"
#include "core/quant/GgmlFormat.h"
#include "core/util/Error.h"

#include <QFile>
#include <QTest>
#include <cmath>
#include <cstring>
#include <random>
#include <vector>

using namespace bitlens;

namespace {

struct GgmlType {
    const char* id;
    const char* file; // stem in ggml-vectors/
    DType dtype;
    double bitsPerWeight;
    uint64_t block;
    double maxRelativeRmse; // synthetic gaussian + outliers: measured value * 1.25
    double outlierLoss;     // relative error allowed on a lone outlier that sets the scale
};

// Bits per weight by hand: block bytes * 8 / block values (Q4_K: 144 * 8 / 256 = 4.5).
const GgmlType kTypes[] = {
    {"q4_0", "q4_0", DType::Q4_0, 4.5, 32, 0.22, 0.15},
    {"q4_1", "q4_1", DType::Q4_1, 5.0, 32, 0.135, 0.15},
    {"q5_0", "q5_0", DType::Q5_0, 5.5, 32, 0.105, 0.15},
    {"q5_1", "q5_1", DType::Q5_1, 6.0, 32, 0.065, 0.15},
    {"q8_0", "q8_0", DType::Q8_0, 8.5, 32, 0.014, 0.15},
    {"q2_k", "q2_K", DType::Q2_K, 2.625, 256, 0.40, 0.15},
    {"q3_k", "q3_K", DType::Q3_K, 3.4375, 256, 0.27, 0.15},
    {"q4_k", "q4_K", DType::Q4_K, 4.5, 256, 0.13, 0.15},
    {"q5_k", "q5_K", DType::Q5_K, 5.5, 256, 0.064, 0.15},
    {"q6_k", "q6_K", DType::Q6_K, 6.5625, 256, 0.04, 0.15},
    {"iq4_nl", "iq4_nl", DType::IQ4_NL, 4.5, 32, 0.165, 0.15},
    {"ggml-mxfp4", "mxfp4", DType::MXFP4, 4.25, 32, 0.215, 0.26},
};

const GgmlType& typeById(const QString& id) {
    for (const GgmlType& type : kTypes)
        if (id == QLatin1String(type.id))
            return type;
    qFatal("unknown id");
}

QByteArray readVectorFile(const QString& name) {
    QFile file(test::sharedDataPath(QStringLiteral("ggml-vectors/") + name));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

std::vector<float> toFloats(const QByteArray& bytes) {
    std::vector<float> values(size_t(bytes.size()) / sizeof(float));
    std::memcpy(values.data(), bytes.constData(), values.size() * sizeof(float));
    return values;
}

std::span<const std::byte> asBytes(const QByteArray& bytes) {
    return {reinterpret_cast<const std::byte*>(bytes.constData()), size_t(bytes.size())};
}

double squaredError(std::span<const float> a, std::span<const float> b) {
    double sum = 0.0;
    for (size_t i = 0; i < a.size(); ++i)
        sum += (double(a[i]) - b[i]) * (double(a[i]) - b[i]);
    return sum;
}

double relativeRmse(std::span<const float> reference, std::span<const float> approx) {
    double energy = 0.0;
    for (float value : reference)
        energy += double(value) * value;
    return std::sqrt(squaredError(reference, approx) / energy);
}

std::vector<float> roundTrip(const Format& format, std::span<const float> values,
                             MatrixShape shape) {
    std::vector<std::byte> packed(format.packedBytes(shape));
    format.quantize(values, shape, packed);
    std::vector<float> decoded(values.size());
    format.dequantize(packed, shape, decoded);
    return decoded;
}

// Deterministic N(0, 1) by Box-Muller over mt19937 (whose output the standard fixes), with every
// 97th value an outlier of 8 to 20 standard deviations.
std::vector<float> gaussianWithOutliers(size_t count, uint32_t seed) {
    std::mt19937 engine(seed);
    const auto uniform = [&] {
        return (double(engine()) + 0.5) / 4294967296.0;
    };
    std::vector<float> values(count);
    for (size_t i = 0; i < count; ++i) {
        const double gaussian =
            std::sqrt(-2.0 * std::log(uniform())) * std::cos(6.283185307179586 * uniform());
        values[i] = float(gaussian * 0.02);
        if (i % 97 == 13)
            values[i] = float((i % 2 ? -1 : 1) * (8.0 + 12.0 * uniform()) * 0.02);
    }
    return values;
}

} // namespace

class TestQuantGgml : public QObject {
    Q_OBJECT
private slots:
    void types_data() {
        QTest::addColumn<QString>("id");
        for (const GgmlType& type : kTypes)
            QTest::newRow(type.id) << QString::fromLatin1(type.id);
    }

    void registryKnowsEveryId_data() { types_data(); }
    void registryKnowsEveryId() {
        QFETCH(QString, id);
        const GgmlType& type = typeById(id);
        const auto listed = listedFormatIds();
        QVERIFY(std::find(listed.begin(), listed.end(), type.id) != listed.end());
        const auto format = makeFormat(type.id);
        QCOMPARE(QString::fromStdString(format->id()), id);
        QCOMPARE(format->family(), FormatFamily::GgmlBlock);
        QCOMPARE(formatForGgmlType(type.dtype), format);
        QVERIFY(!format->description().empty());
    }

    void typesWithoutFormat() {
        QVERIFY(!formatForGgmlType(DType::F32));
        QVERIFY(!formatForGgmlType(DType::Q8_K));
        QVERIFY(!formatForGgmlType(DType::IQ2_XXS));
        QVERIFY_THROWS_EXCEPTION(Error, makeFormat("q4_2"));
    }

    // ggml's dequantization of its own blocks, bit for bit.
    void decodeMatchesGgml_data() { types_data(); }
    void decodeMatchesGgml() {
        BITLENS_REQUIRE_SHARED_DATA();
        QFETCH(QString, id);
        const GgmlType& type = typeById(id);
        const QByteArray blocks = readVectorFile(QString::fromLatin1(type.file) + ".bin");
        const std::vector<float> expected =
            toFloats(readVectorFile(QString::fromLatin1(type.file) + ".dequant.f32"));
        QCOMPARE(expected.size(), size_t(16384));
        const MatrixShape shape{64, 256};
        const auto format = formatForGgmlType(type.dtype);
        QCOMPARE(uint64_t(blocks.size()), format->packedBytes(shape));
        std::vector<float> decoded(shape.elements());
        format->dequantize(asBytes(blocks), shape, decoded);
        for (size_t i = 0; i < decoded.size(); ++i)
            if (std::memcmp(&decoded[i], &expected[i], sizeof(float)) != 0)
                QFAIL(qPrintable(QStringLiteral("value %1: %2 instead of ggml's %3")
                                     .arg(i)
                                     .arg(double(decoded[i]), 0, 'g', 9)
                                     .arg(double(expected[i]), 0, 'g', 9)));
    }

    // Every encoder reproduces ggml's reference quantizer byte for byte (the brief requires it for
    // q4_0 and q8_0; the others match too).
    void encodeMatchesGgml_data() { types_data(); }
    void encodeMatchesGgml() {
        BITLENS_REQUIRE_SHARED_DATA();
        QFETCH(QString, id);
        const GgmlType& type = typeById(id);
        const std::vector<float> input = toFloats(readVectorFile("input.f32"));
        const QByteArray expected = readVectorFile(QString::fromLatin1(type.file) + ".bin");
        const MatrixShape shape{64, 256};
        QCOMPARE(input.size(), size_t(shape.elements()));
        const auto format = makeFormat(type.id);
        std::vector<std::byte> packed(format->packedBytes(shape));
        format->quantize(input, shape, packed);
        QCOMPARE(packed.size(), size_t(expected.size()));
        for (size_t i = 0; i < packed.size(); ++i)
            if (uint8_t(packed[i]) != uint8_t(expected[qsizetype(i)]))
                QFAIL(qPrintable(QStringLiteral("byte %1 (block %2): %3 instead of ggml's %4")
                                     .arg(i)
                                     .arg(i / dtypeInfo(type.dtype).blockBytes)
                                     .arg(uint8_t(packed[i]))
                                     .arg(uint8_t(expected[qsizetype(i)]))));
    }

    void errorNotWorseThanGgml_data() { types_data(); }
    void errorNotWorseThanGgml() {
        BITLENS_REQUIRE_SHARED_DATA();
        QFETCH(QString, id);
        const GgmlType& type = typeById(id);
        const std::vector<float> input = toFloats(readVectorFile("input.f32"));
        const std::vector<float> ggmlDecoded =
            toFloats(readVectorFile(QString::fromLatin1(type.file) + ".dequant.f32"));
        const auto decoded = roundTrip(*makeFormat(type.id), input, {64, 256});
        const double ours = squaredError(input, decoded);
        const double ggml = squaredError(input, ggmlDecoded);
        QVERIFY(ggml > 0.0);
        QVERIFY2(ours <= ggml * (1.0 + 1e-9),
                 qPrintable(QStringLiteral("%1 vs ggml %2").arg(ours).arg(ggml)));
    }

    void bitsPerWeight_data() { types_data(); }
    void bitsPerWeight() {
        QFETCH(QString, id);
        const GgmlType& type = typeById(id);
        const auto format = makeFormat(type.id);
        for (MatrixShape shape :
             {MatrixShape{1, 256}, MatrixShape{3, 1024}, MatrixShape{11, 512}}) {
            QCOMPARE(format->bitsPerWeight(shape), type.bitsPerWeight);
            QCOMPARE(format->packedBytes(shape),
                     shape.elements() / type.block * dtypeInfo(type.dtype).blockBytes);
        }
        QCOMPARE(format->blockLength(4096), type.block);
    }

    void unsupportedRows_data() { types_data(); }
    void unsupportedRows() {
        QFETCH(QString, id);
        const GgmlType& type = typeById(id);
        const auto format = makeFormat(type.id);
        // llama2.c stories260K: hidden_dim 172 fits neither block size.
        const QString reason = QString::fromStdString(format->unsupportedReason(172));
        QVERIFY2(reason.contains("172") && reason.contains(QString::number(type.block)),
                 qPrintable(reason));
        QVERIFY(!format->unsupportedReason(0).empty());
        QVERIFY(format->unsupportedReason(256).empty());
        QCOMPARE(format->unsupportedReason(32).empty(), type.block == 32);
        QCOMPARE(format->unsupportedReason(96).empty(), type.block == 32);
        std::vector<float> values(172);
        std::vector<std::byte> packed(1024);
        QVERIFY_THROWS_EXCEPTION(Error, format->packedBytes({1, 172}));
        QVERIFY_THROWS_EXCEPTION(Error, format->quantize(values, {1, 172}, packed));
        // Spans that do not match the shape are refused, not overrun.
        std::vector<float> row(256);
        QVERIFY_THROWS_EXCEPTION(Error, format->quantize(row, {1, 256}, packed));
        QVERIFY_THROWS_EXCEPTION(Error, format->dequantize(packed, {1, 256}, row));
        QVERIFY_THROWS_EXCEPTION(Error, format->packedBytes({~uint64_t(0) / 2, 256}));
    }

    void zeroBlock_data() { types_data(); }
    void zeroBlock() {
        QFETCH(QString, id);
        const auto format = makeFormat(typeById(id).id);
        std::vector<float> values(512, 0.0f);
        std::fill(values.begin() + 256, values.end(), 0.25f); // a zero super-block, then a busy one
        for (size_t i = 256; i < 512; i += 3)
            values[i] = -0.5f;
        const auto decoded = roundTrip(*format, values, {2, 256});
        for (size_t i = 0; i < 256; ++i)
            QCOMPARE(decoded[i], 0.0f);
        QVERIFY(relativeRmse(std::span(values).subspan(256), std::span(decoded).subspan(256)) <
                0.2);
    }

    void outlierBlock_data() { types_data(); }
    void outlierBlock() {
        QFETCH(QString, id);
        const GgmlType& type = typeById(id);
        const auto format = makeFormat(type.id);
        std::vector<float> values = gaussianWithOutliers(256, 7);
        for (float& value : values)
            value = std::clamp(value, -0.05f, 0.05f);
        values[77] = 1000.0f; // 20000 times the rest
        const auto decoded = roundTrip(*format, values, {1, 256});
        for (float value : decoded)
            QVERIFY(std::isfinite(value));
        // The outlier sets the scale of its block and comes back close; the rest may collapse.
        // MXFP4 saturates at 6 * 2^e and may lose up to a quarter of the block maximum.
        QVERIFY2(std::fabs(decoded[77] - 1000.0f) < 1000.0f * type.outlierLoss,
                 qPrintable(QString::number(decoded[77])));
        for (size_t i = 0; i < decoded.size(); ++i)
            QVERIFY(std::fabs(decoded[i]) <= 1000.0f * 1.15f);
    }

    void refusesValuesItCannotStore_data() { types_data(); }
    void refusesValuesItCannotStore() {
        QFETCH(QString, id);
        const GgmlType& type = typeById(id);
        const auto format = makeFormat(type.id);
        const MatrixShape shape{1, 256};
        std::vector<std::byte> packed(format->packedBytes(shape));
        std::vector<float> values(256, 0.5f);
        values[200] = NAN;
        QVERIFY_THROWS_EXCEPTION(Error, format->quantize(values, shape, packed));
        values[200] = INFINITY;
        QVERIFY_THROWS_EXCEPTION(Error, format->quantize(values, shape, packed));
        values[200] = 3e38f; // beyond what the fits can sum
        QVERIFY_THROWS_EXCEPTION(Error, format->quantize(values, shape, packed));
        if (type.dtype != DType::MXFP4) { // fp16 scales end at 65504; MXFP4's E8M0 goes on
            values[200] = 1e9f;
            QVERIFY_THROWS_EXCEPTION(Error, format->quantize(values, shape, packed));
        }
        values[200] = 3e5f; // every format stores this
        QVERIFY(std::fabs(roundTrip(*format, values, shape)[200] - 3e5f) < 3e5f * 0.26f);
    }

    void syntheticRoundTrip_data() {
        QTest::addColumn<QString>("id");
        QTest::addColumn<qulonglong>("rows");
        QTest::addColumn<qulonglong>("rowLength");
        for (const GgmlType& type : kTypes) {
            QTest::addRow("%s-3x512", type.id) << QString::fromLatin1(type.id) << 3ull << 512ull;
            QTest::addRow("%s-2x1024", type.id) << QString::fromLatin1(type.id) << 2ull << 1024ull;
        }
    }
    void syntheticRoundTrip() {
        QFETCH(QString, id);
        QFETCH(qulonglong, rows);
        QFETCH(qulonglong, rowLength);
        const GgmlType& type = typeById(id);
        const auto format = makeFormat(type.id);
        const MatrixShape shape{rows, rowLength};
        const std::vector<float> values = gaussianWithOutliers(shape.elements(), 2024);
        const auto decoded = roundTrip(*format, values, shape);
        const double error = relativeRmse(values, decoded);
        qInfo("%s %llux%llu relative RMSE %.5f", type.id, rows, rowLength, error);
        QVERIFY2(error < type.maxRelativeRmse, qPrintable(QString::number(error)));
        QVERIFY(error > type.maxRelativeRmse / 20); // a lossy format really quantized

        // Consistency: decoding is deterministic, and re-quantizing decoded values moves them
        // less than the first quantization moved the originals.
        QCOMPARE(roundTrip(*format, values, shape), decoded);
        const auto again = roundTrip(*format, decoded, shape);
        QVERIFY(squaredError(decoded, again) <= squaredError(values, decoded));
    }
};

QTEST_GUILESS_MAIN(TestQuantGgml)
#include "tst_quant_ggml.moc"

// SPDX-License-Identifier: MIT
#include "core/quant/FiniteCheck.h"
#include "core/quant/Float8Format.h"
#include "core/quant/FormatRegistry.h"
#include "core/quant/IntegerFormat.h"
#include "core/quant/MicroscalingFormat.h"
#include "core/quant/NormalFloatFormat.h"
#include "core/quant/Nvfp4Format.h"
#include "core/util/Error.h"

#include <QTest>
#include <algorithm>
#include <bit>
#include <cmath>
#include <random>
#include <set>
#include <vector>

using namespace bitlens;

namespace {

// Deterministic N(0, sigma) values (Box-Muller over mt19937, which the standard fixes), with
// one value in 1009 scaled by 8 as an outlier.
std::vector<float> syntheticWeights(uint64_t count, uint32_t seed, float sigma) {
    std::mt19937 random(seed);
    const auto uniform = [&] {
        return (float(random() >> 8) + 0.5f) * (1.0f / 16777216.0f);
    };
    std::vector<float> values(count);
    for (uint64_t i = 0; i < count; i += 2) {
        const float radius = sigma * std::sqrt(-2.0f * std::log(uniform()));
        const float angle = 6.28318530718f * uniform();
        values[i] = radius * std::cos(angle);
        if (i + 1 < count)
            values[i + 1] = radius * std::sin(angle);
    }
    for (uint64_t i = 17; i < count; i += 1009)
        values[i] *= 8.0f;
    return values;
}

// The listed ids of the reference families tested here (the registry also lists other families).
std::vector<std::string> referenceFormatIds() {
    std::vector<std::string> ids;
    for (auto* list : {integerFormatIds, normalFloatFormatIds, float8FormatIds,
                       microscalingFormatIds, nvfp4FormatIds})
        for (std::string& id : list())
            ids.push_back(std::move(id));
    return ids;
}

struct RoundTrip {
    std::vector<std::byte> packed;
    std::vector<float> back;
};

RoundTrip roundTrip(const Format& format, const std::vector<float>& values, MatrixShape shape) {
    RoundTrip result{std::vector<std::byte>(format.packedBytes(shape)),
                     std::vector<float>(shape.elements())};
    format.quantize(values, shape, result.packed);
    format.dequantize(result.packed, shape, result.back);
    return result;
}

double relativeRmse(const std::vector<float>& values, const std::vector<float>& back) {
    double error = 0.0, energy = 0.0;
    for (size_t i = 0; i < values.size(); ++i) {
        error += (double(back[i]) - values[i]) * (double(back[i]) - values[i]);
        energy += double(values[i]) * values[i];
    }
    return std::sqrt(error / energy);
}

} // namespace

class TestQuantFormats : public QObject {
    Q_OBJECT
private slots:
    void registryListsOnlyIdsItMakes() {
        const auto ids = listedFormatIds();
        for (const std::string& id : referenceFormatIds())
            QVERIFY2(std::find(ids.begin(), ids.end(), id) != ids.end(), id.c_str());
        QCOMPARE(std::set<std::string>(ids.begin(), ids.end()).size(), ids.size());
        for (const std::string& id : ids) {
            const auto format = makeFormat(id);
            QCOMPARE(format->id(), id);
            QVERIFY(!format->description().empty());
            QCOMPARE(makeFormat(id), format); // cached and shared
        }
        for (const char* unknown : {"foo", "nf4-b32", "fp8", "mxfp5", "nvfp4-ch", "", "q9_9"}) {
            try {
                makeFormat(unknown);
                QFAIL(unknown);
            } catch (const Error& error) {
                const std::string message = error.what();
                QVERIFY2(message.find("'" + std::string(unknown) + "'") != std::string::npos,
                         error.what());
            }
        }
    }
    void bitsPerWeightByHand_data() {
        QTest::addColumn<QString>("id");
        QTest::addColumn<double>("bits");
        const double n = 4096.0 * 4096.0;
        QTest::newRow("int4-g128-sym") << "int4-g128-sym" << 4.0 + 16.0 / 128;
        QTest::newRow("int4-g128-sym-mse") << "int4-g128-sym-mse" << 4.0 + 16.0 / 128;
        QTest::newRow("int4-g128-asym")
            << "int4-g128-asym" << (16.0 + 65 * 8) / 128; // 129 fields padded
        QTest::newRow("int3-g32-asym") << "int3-g32-asym" << (16.0 + 13 * 8) / 32;
        QTest::newRow("int2-g64-sym") << "int2-g64-sym" << 2.0 + 16.0 / 64;
        QTest::newRow("int5-g256-sym-fp32") << "int5-g256-sym-fp32" << 5.0 + 32.0 / 256;
        QTest::newRow("int8-ch-sym") << "int8-ch-sym" << 8.0 + 16.0 / 4096;
        QTest::newRow("int8-ch-asym-fp32") << "int8-ch-asym-fp32" << 8.0 + 40.0 / 4096;
        QTest::newRow("int4-tensor-sym") << "int4-tensor-sym" << 4.0 + 16.0 / n;
        QTest::newRow("int4-tensor-asym") << "int4-tensor-asym" << 4.0 + 24.0 / n;
        QTest::newRow("nf4") << "nf4" << 4.5;
        QTest::newRow("fp4") << "fp4" << 4.5;
        QTest::newRow("nf4-dq") << "nf4-dq" << 4.0 + 8.0 / 64 + 32.0 / (64 * 256) + 32.0 / n;
        QTest::newRow("fp4-dq") << "fp4-dq" << 4.0 + 8.0 / 64 + 32.0 / (64 * 256) + 32.0 / n;
        QTest::newRow("fp8-e4m3") << "fp8-e4m3" << 8.0 + 32.0 / n;
        QTest::newRow("fp8-e5m2-ch") << "fp8-e5m2-ch" << 8.0 + 32.0 / 4096;
        QTest::newRow("mxfp8-e4m3") << "mxfp8-e4m3" << 8.25;
        QTest::newRow("mxfp8-e5m2") << "mxfp8-e5m2" << 8.25;
        QTest::newRow("mxfp6-e2m3") << "mxfp6-e2m3" << 6.25;
        QTest::newRow("mxfp6-e3m2") << "mxfp6-e3m2" << 6.25;
        QTest::newRow("mxfp4") << "mxfp4" << 4.25;
        QTest::newRow("mxint8") << "mxint8" << 8.25;
        QTest::newRow("nvfp4") << "nvfp4" << 4.5 + 32.0 / n;
    }
    void bitsPerWeightByHand() {
        QFETCH(QString, id);
        QFETCH(double, bits);
        const double actual = makeFormat(id.toStdString())->bitsPerWeight({4096, 4096});
        QVERIFY2(std::fabs(actual - bits) < 1e-12,
                 qPrintable(QString("%1: %2 != %3").arg(id).arg(actual, 0, 'g', 17).arg(bits)));
    }
    void bitsPerWeightOfEveryListedInteger() {
        for (const std::string& id : integerFormatIds()) {
            const auto format = makeFormat(id);
            const auto* integer = dynamic_cast<const IntegerFormat*>(format.get());
            if (!integer)
                continue;
            const IntegerParams& p = integer->params();
            const double rowLength = 4096;
            const double unit =
                p.granularity == IntegerGranularity::Group ? p.groupSize : rowLength;
            const double scaleBits = p.fp32Scale ? 32 : 16;
            const double zero = p.symmetric ? 0 : 1;
            double expected;
            if (p.granularity == IntegerGranularity::Tensor)
                expected = p.bits + (scaleBits + zero * 8) / (rowLength * 4096);
            else
                expected = (scaleBits + std::ceil((unit + zero) * p.bits / 8) * 8) / unit;
            QVERIFY2(std::fabs(format->bitsPerWeight({4096, 4096}) - expected) < 1e-12, id.c_str());
        }
    }
    void rowsThatDoNotTileAreRejected() {
        for (const std::string& id : referenceFormatIds()) {
            const auto format = makeFormat(id);
            const uint64_t block = format->blockLength(4096);
            QVERIFY2(format->unsupportedReason(4096).empty(), id.c_str());
            QVERIFY2(!format->unsupportedReason(0).empty(), id.c_str());
            if (block == 0 || block == 4096)
                continue; // per tensor / per row: any row length
            const std::string reason = format->unsupportedReason(4104);
            QVERIFY2(reason.find("4104") != std::string::npos, id.c_str());
            std::vector<float> values(4104, 0.0f);
            std::vector<std::byte> packed(8192);
            QVERIFY_THROWS_EXCEPTION(Error, format->quantize(values, {1, 4104}, packed));
        }
    }
    // levels[codes[i]] is exactly the dequantized value, for every block of every listed format.
    void blockCodesMatchDequantize() {
        const MatrixShape shape{3, 512};
        const auto values = syntheticWeights(shape.elements(), 2, 0.05f);
        for (const std::string& id : referenceFormatIds()) {
            const auto format = makeFormat(id);
            const auto trip = roundTrip(*format, values, shape);
            const uint64_t length = format->blockLength(shape.rowLength)
                                        ? format->blockLength(shape.rowLength)
                                        : shape.rowLength;
            for (uint64_t row = 0; row < shape.rows; ++row) {
                for (uint64_t block = 0; block < shape.rowLength / length; ++block) {
                    const auto codes = format->blockCodes(trip.packed, shape, row, block);
                    QVERIFY2(codes.has_value(), id.c_str());
                    QCOMPARE(codes->codes.size(), size_t(length));
                    QVERIFY(std::has_single_bit(codes->levels.size()));
                    QVERIFY(!codes->parameters.empty());
                    for (uint64_t i = 0; i < length; ++i) {
                        const float expected =
                            trip.back[row * shape.rowLength + block * length + i];
                        QVERIFY2(codes->codes[i] < codes->levels.size(), id.c_str());
                        const float level = codes->levels[codes->codes[i]];
                        QVERIFY2(std::bit_cast<uint32_t>(level) ==
                                     std::bit_cast<uint32_t>(expected),
                                 id.c_str());
                    }
                }
            }
            QVERIFY_THROWS_EXCEPTION(Error, format->blockCodes(trip.packed, shape, 3, 0));
            QVERIFY_THROWS_EXCEPTION(
                Error, format->blockCodes(std::span(trip.packed).first(1), shape, 0, 0));
        }
    }
    void syntheticTensorErrors_data() {
        // Measured relative RMSE on 256x1024 N(0, 0.02) with outliers (see syntheticWeights);
        // the test pins each within 15%.
        QTest::addColumn<QString>("id");
        QTest::addColumn<double>("measured");
        const std::pair<const char*, double> rows[] = {
            {"int8-g32-sym", 0.00596},
            {"int8-g128-sym", 0.00851},
            {"int8-g128-asym", 0.00669},
            {"int8-ch-sym", 0.01762},
            {"int8-tensor-sym", 0.05765},
            {"int6-ch-asym", 0.04863},
            {"int4-g32-asym", 0.08357},
            {"int4-g128-sym", 0.15347},
            {"int4-g128-asym", 0.11321},
            {"int4-g128-sym-mse", 0.13901},
            {"int4-g128-asym-mse", 0.10779},
            {"int3-g128-asym-mse", 0.21026},
            {"int3-g64-asym", 0.20766},
            {"int2-g32-asym", 0.40843},
            {"nf4", 0.09926},
            {"nf4-dq", 0.09934},
            {"fp4", 0.11042},
            {"fp4-dq", 0.11050},
            {"fp8-e4m3", 0.02655},
            {"fp8-e4m3-ch", 0.02563},
            {"fp8-e5m2", 0.05266},
            {"fp8-e5m2-ch", 0.05123},
            {"mxfp8-e4m3", 0.02956},
            {"mxfp8-e5m2", 0.05416},
            {"mxfp6-e2m3", 0.02913},
            {"mxfp6-e3m2", 0.05416},
            {"mxfp4", 0.11906},
            {"mxint8", 0.00856},
            {"nvfp4", 0.09483},
        };
        for (const auto& [id, measured] : rows)
            QTest::newRow(id) << QString(id) << measured;
    }
    void syntheticTensorErrors() {
        QFETCH(QString, id);
        QFETCH(double, measured);
        static const MatrixShape shape{256, 1024};
        static const auto values = syntheticWeights(shape.elements(), 1, 0.02f);
        const auto trip = roundTrip(*makeFormat(id.toStdString()), values, shape);
        const double error = relativeRmse(values, trip.back);
        QVERIFY2(error <= measured * 1.15 && error >= measured * 0.85,
                 qPrintable(QString("%1: relative RMSE %2").arg(id).arg(error)));
    }
    void finiteCheck() {
        std::vector<float> values(100, 1.0f);
        QCOMPARE(countNonFinite(values).count, uint64_t(0));
        requireFinite(values, "w");
        values[40] = -INFINITY;
        values[70] = NAN;
        values[90] = INFINITY;
        const NonFiniteCount found = countNonFinite(values);
        QCOMPARE(found.count, uint64_t(3));
        QCOMPARE(found.firstIndex, uint64_t(40));
        QVERIFY(std::isinf(found.firstValue));
        values[40] = std::nextafter(0.0f, 1.0f); // subnormals are finite
        values[41] = 3.4e38f;
        QCOMPARE(countNonFinite(values).firstIndex, uint64_t(70));
        try {
            requireFinite(values, "blk.0.ffn_gate.weight");
            QFAIL("no error");
        } catch (const Error& error) {
            QCOMPARE(std::string(error.what()),
                     std::string("tensor 'blk.0.ffn_gate.weight' holds 2 non-finite values "
                                 "(first: nan at index 70); it cannot be quantized"));
        }
    }
};

QTEST_GUILESS_MAIN(TestQuantFormats)
#include "tst_quant_formats.moc"

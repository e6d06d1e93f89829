// SPDX-License-Identifier: MIT
#include "core/eval/TransformerMath.h"
#include "core/util/Error.h"

#include <QtTest>
#include <cmath>
#include <vector>

using namespace bitlens;

class TransformerMathTest : public QObject {
    Q_OBJECT
private slots:
    void linearMultipliesByTheTransposedWeight() {
        const std::vector<float> in{1, 2, 3, -1, 0, 2};        // 2 positions x 3
        const std::vector<float> weight{1, 0, 1, 0.5f, 2, -1}; // 2 outputs x 3
        std::vector<float> out(4);
        linearForward(in, 2, 3, weight, 2, out);
        QCOMPARE(out, (std::vector<float>{4, 1.5f, 1, -2.5f}));
    }

    void rmsNormScalesByRootMeanSquare() {
        const std::vector<float> in{3, 4, 0, 2};
        const std::vector<float> weight{1, 2};
        std::vector<float> out(4);
        rmsNorm(in, 2, weight, 0, out);
        const float first = float(1 / std::sqrt(12.5));
        QCOMPARE(out[0], 3 * first);
        QCOMPARE(out[1], 4 * first * 2);
        QCOMPARE(out[2], 0.0f);
        QCOMPARE(out[3], float(2 / std::sqrt(2.0)) * 2);
    }

    void ropeTurnsPairsByPositionAngle() {
        std::vector<float> row{1, 0, 0, 1};
        applyRope(row, 1, 1, 1, 4, 10000, RopePairing::Adjacent);
        // pair 0 turns by 1 rad, pair 1 by 1 / 100 rad
        QCOMPARE(row[0], float(std::cos(1.0)));
        QCOMPARE(row[1], float(std::sin(1.0)));
        QCOMPARE(row[2], -float(std::sin(0.01)));
        QCOMPARE(row[3], float(std::cos(0.01)));
    }

    void ropeHalfSplitIsAdjacentOnPermutedDimensions() {
        const std::vector<float> adjacentLayout{1, 2, 3, 4, 5, 6, 7, 8};
        // (2i, 2i+1) -> (i, i+half)
        std::vector<float> halfLayout{1, 3, 5, 7, 2, 4, 6, 8};
        std::vector<float> adjacent = adjacentLayout;
        applyRope(adjacent, 1, 7, 1, 8, 500, RopePairing::Adjacent);
        applyRope(halfLayout, 1, 7, 1, 8, 500, RopePairing::HalfSplit);
        for (int i = 0; i < 4; ++i) {
            QCOMPARE(halfLayout[i], adjacent[2 * i]);
            QCOMPARE(halfLayout[i + 4], adjacent[2 * i + 1]);
        }
    }

    void softmaxNormalisesEachRow() {
        std::vector<float> rows{0, std::log(3.0f), 5, 5};
        softmaxRows(rows, 2);
        QVERIFY(std::abs(rows[0] - 0.25f) < 1e-7f);
        QVERIFY(std::abs(rows[1] - 0.75f) < 1e-7f);
        QCOMPARE(rows[2], 0.5f);
        QCOMPARE(rows[3], 0.5f);
    }

    void swiGluGatesWithSilu() {
        const std::vector<float> gate{0, 2};
        const std::vector<float> up{5, 3};
        std::vector<float> out(2);
        swiGlu(gate, up, out);
        QCOMPARE(out[0], 0.0f);
        QCOMPARE(out[1], 2 / (1 + std::exp(-2.0f)) * 3);
    }

    void attentionIsCausalAndSharesKeyValueHeads() {
        // 2 positions, 2 query heads sharing 1 key/value head of size 1.
        const std::vector<float> q{1, -1, 1, -1};
        const std::vector<float> k{0, std::log(3.0f)};
        const std::vector<float> v{10, 20};
        std::vector<float> out(4);
        causalAttention(q, k, v, 2, 2, 1, 1, out);
        QCOMPARE(out[0], 10.0f); // position 0 sees only itself
        QCOMPARE(out[1], 10.0f);
        // position 1, head 0: scores 0 and ln 3 -> weights 1/4, 3/4
        QVERIFY(std::abs(out[2] - 17.5f) < 1e-5f);
        // head 1: scores 0 and -ln 3 -> weights 3/4, 1/4
        QVERIFY(std::abs(out[3] - 12.5f) < 1e-5f);
    }

    void mismatchedSizesAreErrors() {
        std::vector<float> out(3);
        const std::vector<float> in(4);
        QVERIFY_THROWS_EXCEPTION(Error, linearForward(in, 2, 2, in, 2, out));
        QVERIFY_THROWS_EXCEPTION(Error, causalAttention(in, in, in, 1, 3, 2, 1, out));
    }
};

QTEST_GUILESS_MAIN(TransformerMathTest)
#include "tst_transformer_math.moc"

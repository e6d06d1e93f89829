// SPDX-License-Identifier: MIT
#include "core/metrics/Histogram.h"
#include "core/util/Error.h"

#include <QTest>
#include <cmath>
#include <limits>
#include <vector>

using namespace bitlens;

class TestHistogram : public QObject {
    Q_OBJECT
private slots:
    void explicitBinsCountByHand() {
        // Bins of width 0.5 over [-1, 1]: [-1,-0.5) [-0.5,0) [0,0.5) [0.5,1].
        const std::vector<float> values = {-1.0f, -0.75f, -0.5f, -0.1f, 0.0f,
                                           0.49f, 0.5f,   1.0f,  -1.5f, 2.0f};
        Histogram histogram(HistogramBins::explicitRange(-1, 1, 4));
        histogram.add(values);
        QCOMPARE(histogram.counts(), (std::vector<uint64_t>{2, 2, 2, 2}));
        QCOMPARE(histogram.underflow(), uint64_t(1));
        QCOMPARE(histogram.overflow(), uint64_t(1));
        QCOMPARE(histogram.total(), uint64_t(values.size()));
        QCOMPARE(histogram.edges(), (std::vector<double>{-1, -0.5, 0, 0.5, 1}));
    }
    void nonFiniteValuesAreCountedApart() {
        const float inf = std::numeric_limits<float>::infinity();
        const std::vector<float> values = {NAN, inf, -inf, 0.25f};
        Histogram histogram(HistogramBins::explicitRange(0, 1, 2));
        histogram.add(values);
        QCOMPARE(histogram.nanCount(), uint64_t(1));
        QCOMPARE(histogram.overflow(), uint64_t(1));
        QCOMPARE(histogram.underflow(), uint64_t(1));
        QCOMPARE(histogram.counts(), (std::vector<uint64_t>{1, 0}));
        // The automatic range ignores the infinities.
        const HistogramBins bins = chooseHistogramBins(values);
        QCOMPARE(bins.low, -0.25);
        QCOMPARE(bins.high, 0.25);
    }
    void chunksMergeToTheWhole() {
        std::vector<float> values(1000);
        for (size_t i = 0; i < values.size(); ++i)
            values[i] = float(std::sin(double(i)));
        const HistogramBins bins = HistogramBins::explicitRange(-1, 1, 10);
        Histogram whole(bins);
        whole.add(values);
        Histogram first(bins);
        first.add(std::span(values).first(333));
        Histogram second(bins);
        second.add(std::span(values).subspan(333));
        first.merge(second);
        QCOMPARE(first.counts(), whole.counts());
        QCOMPARE(first.total(), uint64_t(1000));
        QVERIFY_THROWS_EXCEPTION(Error, first.merge(Histogram(HistogramBins{-1, 1, 11})));
    }
    void symmetricRangeAndFreedmanDiaconis() {
        // 10^6 evenly spaced values on [-1, 1]: IQR 1, FD width 2 * 1 / 100 = 0.02: 100 bins.
        const size_t n = 1000000;
        std::vector<float> values(n);
        for (size_t i = 0; i < n; ++i)
            values[i] = float(-1.0 + 2.0 * double(i) / double(n - 1));
        const HistogramBins bins = chooseHistogramBins(values);
        QCOMPARE(bins.low, -1.0);
        QCOMPARE(bins.high, 1.0);
        QVERIFY2(bins.count >= 100 && bins.count <= 102, qPrintable(QString::number(bins.count)));
        QCOMPARE(bins.count % 2, 0u);
    }
    void heavyTailClampsToMaximumBins() {
        // A narrow bulk and one outlier: the range reaches the outlier, FD asks for more than
        // kMaxAutoBins bins.
        std::vector<float> values(10000);
        for (size_t i = 0; i < values.size(); ++i)
            values[i] = float(i % 100) * 1e-4f - 0.005f;
        values[1234] = -3.0f;
        const Histogram histogram = histogramOf(values);
        QCOMPARE(histogram.bins().low, -3.0);
        QCOMPARE(histogram.bins().high, 3.0);
        QCOMPARE(histogram.bins().count, kMaxAutoBins);
        QCOMPARE(histogram.counts().front(), uint64_t(1));
        QCOMPARE(histogram.underflow() + histogram.overflow(), uint64_t(0));
    }
    void degenerateInputsGetMinimumBins() {
        const std::vector<float> zeros(100, 0.0f);
        const HistogramBins zeroBins = chooseHistogramBins(zeros);
        QCOMPARE(zeroBins.low, -1.0);
        QCOMPARE(zeroBins.high, 1.0);
        QCOMPARE(zeroBins.count, kMinAutoBins);
        const std::vector<float> constant(100, 0.5f); // IQR 0
        const Histogram histogram = histogramOf(constant);
        QCOMPARE(histogram.bins().count, kMinAutoBins);
        QCOMPARE(histogram.counts().back(), uint64_t(100)); // x == high lands in the last bin
        QCOMPARE(chooseHistogramBins({}).count, kMinAutoBins);
    }
    void badExplicitBinsThrow() {
        QVERIFY_THROWS_EXCEPTION(Error, HistogramBins::explicitRange(1, 1, 10));
        QVERIFY_THROWS_EXCEPTION(Error, HistogramBins::explicitRange(0, NAN, 10));
        QVERIFY_THROWS_EXCEPTION(Error, HistogramBins::explicitRange(0, 1, 0));
        QVERIFY_THROWS_EXCEPTION(Error, HistogramBins::explicitRange(0, 1, kMaxHistogramBins + 1));
    }
};

QTEST_GUILESS_MAIN(TestHistogram)
#include "tst_histogram.moc"

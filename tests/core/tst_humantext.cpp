// SPDX-License-Identifier: MIT
#include "core/util/HumanText.h"
#include "core/util/JsonSummary.h"

#include <QTest>

using namespace bitlens;

class TestHumanText : public QObject {
    Q_OBJECT
private slots:
    void shapes() {
        QCOMPARE(shapeText({128, 784}), std::string("[128, 784]"));
        QCOMPARE(shapeText({7}), std::string("[7]"));
        QCOMPARE(shapeText({}), std::string("[]"));
    }
    void byteSizes_data() {
        QTest::addColumn<qulonglong>("bytes");
        QTest::addColumn<QString>("text");
        QTest::newRow("zero") << 0ull << "0 B";
        QTest::newRow("below a KiB") << 1023ull << "1023 B";
        QTest::newRow("one KiB") << 1024ull << "1.0 KiB";
        QTest::newRow("mnist mlp") << 406528ull << "397.0 KiB";
        QTest::newRow("rounds up into MiB") << 1048575ull << "1.0 MiB";
        QTest::newRow("GiB") << 13'500'000'000ull << "12.6 GiB";
        QTest::newRow("largest") << ~0ull << "16.0 EiB";
    }
    void byteSizes() {
        QFETCH(qulonglong, bytes);
        QFETCH(QString, text);
        QCOMPARE(QString::fromStdString(byteSizeText(bytes)), text);
    }
    void longArraysAreSummarised() {
        nlohmann::json tokens = nlohmann::json::array();
        for (int i = 0; i < 32000; ++i)
            tokens.push_back("t" + std::to_string(i));
        const nlohmann::json metadata = {
            {"tokenizer.ggml.tokens", tokens},
            {"general.architecture", "llama"},
            {"short", {1, 2, 3}},
            {"nested",
             {{"scores", nlohmann::json::array(
                             {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})}}}};
        const nlohmann::json summary = summarizeLongArrays(metadata);
        QCOMPARE(summary["tokenizer.ggml.tokens"].dump(),
                 std::string(R"({"array_length":32000,"first":["t0","t1","t2","t3","t4"]})"));
        QCOMPARE(summary["general.architecture"].dump(), std::string(R"("llama")"));
        QCOMPARE(summary["short"].dump(), std::string("[1,2,3]"));
        QCOMPARE(summary["nested"].dump(),
                 std::string(R"({"scores":{"array_length":17,"first":[0,1,2,3,4]}})"));
        // 16 items is still short.
        const nlohmann::json sixteen = nlohmann::json(std::vector<int>(16, 7));
        QCOMPARE(summarizeLongArrays(sixteen).dump(), sixteen.dump());
    }
};

QTEST_GUILESS_MAIN(TestHumanText)
#include "tst_humantext.moc"

// SPDX-License-Identifier: MIT
#include "common/CliRun.h"
#include "common/SafetensorsFile.h"
#include "common/TestData.h"

#include <QTemporaryDir>
#include <QTest>
#include <nlohmann/json.hpp>

using nlohmann::json;

namespace {

// Output of `info PATH --json`, or a discarded value with the reason in `problem`.
json runInfoJson(const QString& path, std::string& problem) {
    const bitlens::test::Run result = bitlens::test::run({"info", path.toStdString(), "--json"});
    json info = json::parse(result.out, nullptr, false);
    if (result.status != 0 || !info.is_object()) {
        problem = "exit " + std::to_string(result.status) + ": " + result.err + result.out;
        return json(json::value_t::discarded);
    }
    return info;
}

// The tensor with this name in an info --json listing, or null.
json tensorNamed(const json& info, const std::string& name) {
    for (const json& tensor : info.at("tensors"))
        if (tensor.at("name") == name)
            return tensor;
    return nullptr;
}

// Lines of `text` (without the newline).
std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> result;
    std::istringstream stream(text);
    for (std::string line; std::getline(stream, line);)
        result.push_back(line);
    return result;
}

} // namespace

class TestInfo : public QObject {
    Q_OBJECT
private slots:
    void jsonOfWrittenSafetensors() {
        QTemporaryDir dir;
        const QString path = dir.filePath("small.safetensors");
        QVERIFY(bitlens::test::writeSafetensors(
            path, {{"layer.0.weight", "F32", {4, 3}}, {"layer.0.bias", "F16", {4}}},
            {{"format", "pt"}}));
        std::string problem;
        const json info = runInfoJson(path, problem);
        QVERIFY2(!info.is_discarded(), problem.c_str());
        QCOMPARE(info.at("format").get<std::string>(), std::string("safetensors"));
        QCOMPARE(info.at("metadata").at("__metadata__").dump(), std::string(R"({"format":"pt"})"));
        QVERIFY(info.at("model").is_object());
        QCOMPARE(info.at("tensors").size(), size_t(2));
        const json weight = tensorNamed(info, "layer.0.weight");
        QVERIFY(!weight.is_null());
        QCOMPARE(weight.at("shape").dump(), std::string("[4,3]"));
        QCOMPARE(weight.at("dtype").get<std::string>(), std::string("F32"));
        QCOMPARE(weight.at("params").get<uint64_t>(), uint64_t(12));
        QCOMPARE(weight.at("bytes").get<uint64_t>(), uint64_t(48));
        const json bias = tensorNamed(info, "layer.0.bias");
        QVERIFY(!bias.is_null());
        QCOMPARE(bias.at("dtype").get<std::string>(), std::string("F16"));
        QCOMPARE(bias.at("bytes").get<uint64_t>(), uint64_t(8));
        QCOMPARE(info.at("totals").dump(), std::string(R"({"bytes":56,"params":16,"tensors":2})"));
    }

    void textTableIsAligned() {
        QTemporaryDir dir;
        const QString path = dir.filePath("small.safetensors");
        QVERIFY(bitlens::test::writeSafetensors(
            path, {{"a", "F32", {2048, 1024}}, {"a_much_longer_name.weight", "BF16", {7}}}));
        const bitlens::test::Run result = bitlens::test::run({"info", path.toStdString()});
        QCOMPARE(result.status, 0);
        QVERIFY(result.err.empty());
        const std::vector<std::string> text = lines(result.out);
        const auto startingWith = [&](const std::string& prefix) {
            const auto line = std::find_if(text.begin(), text.end(), [&](const std::string& l) {
                return l.rfind(prefix, 0) == 0;
            });
            return line == text.end() ? std::string() : *line;
        };
        const std::string header = startingWith("name ");
        const std::string bigRow = startingWith("a ");
        const std::string smallRow = startingWith("a_much_longer_name.weight ");
        QVERIFY(!header.empty() && !bigRow.empty() && !smallRow.empty());
        // Left-aligned columns start where their header starts.
        QCOMPARE(bigRow.find("[2048, 1024]"), header.find("shape"));
        QCOMPARE(smallRow.find("[7]"), header.find("shape"));
        QCOMPARE(bigRow.find("F32"), header.find("dtype"));
        QCOMPARE(smallRow.find("BF16"), header.find("dtype"));
        // Number columns are right-aligned: every row ends at the same column with its bytes.
        QCOMPARE(bigRow.size(), header.size());
        QCOMPARE(smallRow.size(), header.size());
        QVERIFY(bigRow.find(" 2097152  8388608") != std::string::npos);
        QVERIFY(smallRow.find("       7       14") != std::string::npos);
        QVERIFY(result.out.find("tensors              2\n") != std::string::npos);
        QVERIFY(result.out.find("parameters           2097159\n") != std::string::npos);
        QVERIFY(result.out.find("bytes                8388622 (8.0 MiB)\n") != std::string::npos);
    }

    void sharedCheckpoints_data() {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("format");
        QTest::addColumn<QString>("tensorName");
        QTest::addColumn<QList<qulonglong>>("shape");
        QTest::addColumn<qulonglong>("tensorCount");
        QTest::addColumn<qulonglong>("params");
        QTest::addColumn<qulonglong>("bytes");
        QTest::newRow("safetensors")
            << "safetensors/mnist_mlp.safetensors"
            << "safetensors"
            << "layers.0.weight" << QList<qulonglong>{128, 784} << 2ull << 101632ull << 406528ull;
        QTest::newRow("keras") << "keras/mnist_mlp.h5"
                               << "keras-h5"
                               << "dense/dense/kernel:0" << QList<qulonglong>{784, 128} << 4ull
                               << 101770ull << 407080ull;
        // 264128 float32 after the header, less the two unused 512x4 RoPE tables.
        QTest::newRow("llama2c") << "llama2c/stories260K.bin"
                                 << "llama2c"
                                 << "blk.0.ffn_gate.weight" << QList<qulonglong>{172, 64} << 47ull
                                 << 260032ull << 1040128ull;
    }
    void sharedCheckpoints() {
        BITLENS_REQUIRE_SHARED_DATA();
        QFETCH(QString, file);
        QFETCH(QString, format);
        QFETCH(QString, tensorName);
        QFETCH(QList<qulonglong>, shape);
        QFETCH(qulonglong, tensorCount);
        QFETCH(qulonglong, params);
        QFETCH(qulonglong, bytes);
        std::string problem;
        const json info = runInfoJson(bitlens::test::sharedDataPath(file), problem);
        QVERIFY2(!info.is_discarded(), problem.c_str());
        QCOMPARE(QString::fromStdString(info.at("format")), format);
        const json tensor = tensorNamed(info, tensorName.toStdString());
        QVERIFY2(!tensor.is_null(), qPrintable(tensorName));
        const auto dims = tensor.at("shape").get<std::vector<qulonglong>>();
        QCOMPARE(QList<qulonglong>(dims.begin(), dims.end()), shape);
        const json& totals = info.at("totals");
        QCOMPARE(totals.at("tensors").get<qulonglong>(), tensorCount);
        QCOMPARE(totals.at("params").get<qulonglong>(), params);
        QCOMPARE(totals.at("bytes").get<qulonglong>(), bytes);
        QCOMPARE(info.at("tensors").size(), size_t(tensorCount));
        qulonglong sum = 0;
        for (const json& entry : info.at("tensors"))
            sum += entry.at("params").get<qulonglong>();
        QCOMPARE(sum, params);
    }

    void ggufVocabularyStaysSmall() {
        BITLENS_REQUIRE_SHARED_DATA();
        const QString path = bitlens::test::sharedDataPath("gguf/ggml-vocab-llama-spm.gguf");
        const bitlens::test::Run result =
            bitlens::test::run({"info", path.toStdString(), "--json"});
        QCOMPARE(result.status, 0);
        QVERIFY2(result.out.size() < 20000, std::to_string(result.out.size()).c_str());
        const json info = json::parse(result.out, nullptr, false);
        QVERIFY(info.is_object());
        QCOMPARE(info.at("format").get<std::string>(), std::string("gguf"));
        QCOMPARE(info.at("tensors").size(), size_t(0));
        QCOMPARE(info.at("totals").dump(), std::string(R"({"bytes":0,"params":0,"tensors":0})"));
        const json& tokens = info.at("metadata").at("tokenizer.ggml.tokens");
        QCOMPARE(tokens.at("array_length").get<int>(), 32000);
        QCOMPARE(tokens.at("first").dump(),
                 std::string(R"(["<unk>","<s>","</s>","<0x00>","<0x01>"])"));
        QCOMPARE(info.at("metadata").at("general.architecture").get<std::string>(),
                 std::string("llama"));

        const bitlens::test::Run text = bitlens::test::run({"info", path.toStdString()});
        QCOMPARE(text.status, 0);
        QVERIFY2(text.out.find("tokenizer tokens     32000\n") != std::string::npos,
                 text.out.c_str());
        QVERIFY(text.out.find("tensors              0\n") != std::string::npos);
        QVERIFY(text.out.size() < 4000);
    }

    void badFilesExitTwoNamingThePath_data() {
        QTest::addColumn<QByteArray>("content"); // empty: the file is not created
        QTest::newRow("missing") << QByteArray();
        QTest::newRow("garbage") << QByteArray("this is not a checkpoint at all\n");
        QTest::newRow("truncated safetensors")
            << QByteArray("\x40\x00\x00\x00\x00\x00\x00\x00{\"a\":", 13);
    }
    void badFilesExitTwoNamingThePath() {
        QFETCH(QByteArray, content);
        QTemporaryDir dir;
        const QString path = dir.filePath("input.bin");
        if (!content.isEmpty()) {
            QFile file(path);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(content);
        }
        for (const std::vector<std::string>& args :
             {std::vector<std::string>{"info", path.toStdString()},
              std::vector<std::string>{"info", "--json", path.toStdString()}}) {
            const bitlens::test::Run result = bitlens::test::run(args);
            QCOMPARE(result.status, 2);
            QVERIFY(result.out.empty());
            QVERIFY2(result.err.find(path.toStdString()) != std::string::npos, result.err.c_str());
            QCOMPARE(std::count(result.err.begin(), result.err.end(), '\n'), 1);
        }
    }

    void usageErrorsExitOne_data() {
        QTest::addColumn<QStringList>("args");
        QTest::newRow("no file") << QStringList{"info"};
        QTest::newRow("only --json") << QStringList{"info", "--json"};
        QTest::newRow("two files") << QStringList{"info", "a.bin", "b.bin"};
        QTest::newRow("unknown option") << QStringList{"info", "--yaml", "a.bin"};
    }
    void usageErrorsExitOne() {
        QFETCH(QStringList, args);
        const bitlens::test::Run result = bitlens::test::runRow(args);
        QCOMPARE(result.status, 1);
        QVERIFY(result.out.empty());
        QVERIFY(result.err.find("usage: bitlens-cli info FILE [--json]") != std::string::npos);
    }

    void listedInHelp() {
        const bitlens::test::Run result = bitlens::test::run({"--help"});
        QCOMPARE(result.status, 0);
        QVERIFY(result.out.find("info FILE [--json]") != std::string::npos);
    }
};

QTEST_GUILESS_MAIN(TestInfo)
#include "tst_info.moc"

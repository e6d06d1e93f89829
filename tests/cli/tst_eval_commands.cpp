// SPDX-License-Identifier: MIT
#include "cli/Command.h"
#include "common/CliRun.h"
#include "common/TestData.h"
#include "core/io/GgufWriter.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>
#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>

namespace {

using bitlens::test::Run;
using bitlens::test::run;
using bitlens::test::runRow;

std::string shared(const char* relative) {
    return bitlens::test::sharedDataPath(relative).toStdString();
}

std::vector<std::string> storiesArgs(std::vector<std::string> extra) {
    std::vector<std::string> args = {"eval",        shared("llama2c/stories260K.bin"),
                                     "--text",      shared("text/tinystories_val.txt"),
                                     "--tokenizer", shared("llama2c/tok512.bin"),
                                     "--chunks",    "2",
                                     "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
}

void writeFile(const QString& path, const std::string& text) {
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(text.data(), qint64(text.size()));
}

} // namespace

class TestEvalCommands : public QObject {
    Q_OBJECT
private slots:
    void usageErrors_data() {
        QTest::addColumn<QStringList>("args");
        QTest::newRow("text and data set")
            << QStringList{"eval", "m", "--text", "t", "--dataset", "i", "l"};
        QTest::newRow("format and recipe")
            << QStringList{"eval", "m", "--text", "t", "--format", "q8_0", "--recipe", "r.json"};
        QTest::newRow("zero context") << QStringList{"eval", "m", "--text", "t", "--ctx", "0"};
        QTest::newRow("negative chunks")
            << QStringList{"eval", "m", "--text", "t", "--chunks", "-2"};
        QTest::newRow("scale with text")
            << QStringList{"eval", "m", "--text", "t", "--input-scale", "2"};
        QTest::newRow("tokenizer with data set")
            << QStringList{"eval", "m", "--dataset", "i", "l", "--tokenizer", "t"};
        QTest::newRow("text without file") << QStringList{"eval", "m", "--text"};
    }
    void usageErrors() {
        QFETCH(QStringList, args);
        const Run result = runRow(args);
        QCOMPARE(result.status, 1);
        QVERIFY(result.out.empty());
        QVERIFY(result.err.find("usage: bitlens-cli eval") != std::string::npos);
    }

    void jsonFields() {
        BITLENS_REQUIRE_SHARED_DATA();
        const Run original = run(storiesArgs({}));
        QVERIFY2(original.status == 0, original.err.c_str());
        const nlohmann::json report = nlohmann::json::parse(original.out);
        QCOMPARE(report["kind"].get<std::string>(), std::string("lm"));
        QCOMPARE(report["n_ctx"].get<int>(), 512);
        QCOMPARE(report["chunks"].get<int>(), 2);
        QVERIFY(report["tokens"].get<int>() > 100000);
        QCOMPARE(report["scored_tokens"].get<int>(), 2 * 255);
        const double ppl = report["original"]["ppl"].get<double>();
        QVERIFY(ppl > 2.0 && ppl < 20.0);
        QVERIFY(report["original"]["ppl_err"].get<double>() > 0);
        QVERIFY(!report.contains("quantized"));
        QVERIFY(!report.contains("kld_mean"));

        const Run quantized = run(storiesArgs({"--format", "q8_0", "--ctx", "256"}));
        QVERIFY2(quantized.status == 0, quantized.err.c_str());
        const nlohmann::json comparison = nlohmann::json::parse(quantized.out);
        QCOMPARE(comparison["n_ctx"].get<int>(), 256);
        QCOMPARE(comparison["scored_tokens"].get<int>(), 2 * 127);
        QCOMPARE(comparison["quantized"]["format"].get<std::string>(), std::string("q8_0"));
        const double q8 = comparison["quantized"]["ppl"].get<double>();
        const double float32 = comparison["original"]["ppl"].get<double>();
        QVERIFY(std::fabs(q8 / float32 - 1) < 0.01);
        QVERIFY(comparison["quantized"]["ppl_err"].get<double>() > 0);
        QVERIFY(comparison["kld_mean"].get<double>() > 0);
        QVERIFY(comparison["kld_p99"].get<double>() > comparison["kld_mean"].get<double>());
        QVERIFY(comparison["same_top"].get<double>() > 0.9);
        QVERIFY(comparison["same_top"].get<double>() < 1.0);
    }

    void devices() {
        BITLENS_REQUIRE_SHARED_DATA();
        // The Vulkan and CPU engines give the same perplexity and KL divergence within 1e-4.
        const Run cpu = run(storiesArgs({"--ctx", "128", "--format", "q4_0", "--device", "cpu"}));
        const Run vulkan =
            run(storiesArgs({"--ctx", "128", "--format", "q4_0", "--device", "vulkan"}));
        QVERIFY2(cpu.status == 0, cpu.err.c_str());
        QVERIFY2(vulkan.status == 0, vulkan.err.c_str());
        const nlohmann::json onCpu = nlohmann::json::parse(cpu.out);
        const nlohmann::json onVulkan = nlohmann::json::parse(vulkan.out);
        QCOMPARE(onCpu["device"].get<std::string>(), std::string("cpu"));
        QVERIFY2(onVulkan["device"].get<std::string>().starts_with("vulkan: "), vulkan.out.c_str());
        for (const char* side : {"original", "quantized"}) {
            const double expected = onCpu[side]["ppl"].get<double>();
            QVERIFY(std::fabs(onVulkan[side]["ppl"].get<double>() - expected) < 1e-4 * expected);
        }
        QVERIFY(std::fabs(onVulkan["kld_mean"].get<double>() - onCpu["kld_mean"].get<double>()) <
                1e-4);

        // The table names the engine too.
        std::vector<std::string> table = storiesArgs({"--ctx", "128", "--device", "vulkan"});
        table.erase(std::find(table.begin(), table.end(), "--json"));
        const Run text = run(table);
        QVERIFY2(text.status == 0, text.err.c_str());
        QVERIFY2(text.out.find("\nengine: vulkan: ") != std::string::npos, text.out.c_str());
    }

    void benchTokensPerSecond() {
        BITLENS_REQUIRE_SHARED_DATA();
        const Run result =
            run({"bench", "eval", shared("llama2c/stories260K.bin"), "--text",
                 shared("text/tinystories_val.txt"), "--tokenizer", shared("llama2c/tok512.bin"),
                 "--ctx", "128", "--chunks", "2", "--repeats", "1"});
        QVERIFY2(result.status == 0, result.err.c_str());
        QVERIFY2(result.out.find("over 2 chunks of 128 tokens") != std::string::npos,
                 result.out.c_str());
        std::istringstream lines(result.out);
        std::string line;
        int cpuRows = 0;
        int vulkanRows = 0;
        while (std::getline(lines, line)) {
            if (line.find("tokens/s") == std::string::npos)
                continue;
            QVERIFY2(line.starts_with("stories260K.bin"), line.c_str());
            QVERIFY2(line.find("ppl ") != std::string::npos, line.c_str());
            if (line.find(" cpu ") != std::string::npos)
                ++cpuRows;
            if (line.find(" vulkan: ") != std::string::npos) {
                ++vulkanRows;
                QVERIFY2(line.find("x ") != std::string::npos, line.c_str()); // the ratio
            }
        }
        QCOMPARE(cpuRows, 1);
        QCOMPARE(vulkanRows, 1);
    }

    void benchUsageErrors_data() {
        QTest::addColumn<QStringList>("args");
        QTest::newRow("text and data set")
            << QStringList{"bench", "eval", "m", "--text", "t", "--dataset", "i", "l"};
        QTest::newRow("scale with text")
            << QStringList{"bench", "eval", "m", "--text", "t", "--input-scale", "2"};
        QTest::newRow("context with data set")
            << QStringList{"bench", "eval", "m", "--dataset", "i", "l", "--ctx", "64"};
        QTest::newRow("tiny context")
            << QStringList{"bench", "eval", "m", "--text", "t", "--ctx", "2"};
    }
    void benchUsageErrors() {
        QFETCH(QStringList, args);
        const Run result = runRow(args);
        QCOMPARE(result.status, 1);
        QVERIFY(result.out.empty());
        QVERIFY2(result.err.find("usage: bitlens-cli bench eval") != std::string::npos,
                 result.err.c_str());
    }

    void recipes() {
        BITLENS_REQUIRE_SHARED_DATA();
        QTemporaryDir dir;
        const QString keep = dir.filePath("keep.json");
        writeFile(keep, R"({"version": 1, "default": "keep"})");
        const Run kept = run(storiesArgs({"--recipe", keep.toStdString()}));
        QVERIFY2(kept.status == 0, kept.err.c_str());
        const nlohmann::json same = nlohmann::json::parse(kept.out);
        QCOMPARE(same["kld_mean"].get<double>(), 0.0);
        QCOMPARE(same["same_top"].get<double>(), 1.0);
        QCOMPARE(same["quantized"]["recipe"].get<std::string>(), keep.toStdString());
        QCOMPARE(same["quantized"]["ppl"].get<double>(), same["original"]["ppl"].get<double>());

        // Two bits on the feed-forward gates only hurts more than nothing, less than everywhere.
        const QString gates = dir.filePath("gates.json");
        writeFile(gates, R"({"version": 1, "rules": [{"pattern": "blk.*.ffn_gate.weight",)"
                         R"( "format": "q2_k"}], "fallback": "int2-g32-asym"})");
        const QString all = dir.filePath("all.json");
        writeFile(all, R"({"version": 1, "default": "int2-g32-asym"})");
        const Run partial = run(storiesArgs({"--recipe", gates.toStdString()}));
        const Run everything = run(storiesArgs({"--recipe", all.toStdString()}));
        QVERIFY2(partial.status == 0, partial.err.c_str());
        QVERIFY2(everything.status == 0, everything.err.c_str());
        const double partialKld = nlohmann::json::parse(partial.out)["kld_mean"].get<double>();
        const double allKld = nlohmann::json::parse(everything.out)["kld_mean"].get<double>();
        QVERIFY(partialKld > 0);
        QVERIFY2(allKld > partialKld, qPrintable(QString("%1 %2").arg(allKld).arg(partialKld)));
    }

    void classifierRecipe() {
        BITLENS_REQUIRE_SHARED_DATA();
        QTemporaryDir dir;
        const QString keep = dir.filePath("keep.json");
        writeFile(keep, R"({"version": 1, "default": "keep"})");
        const QString q8 = dir.filePath("q8.json");
        writeFile(q8, R"({"version": 1, "rules": [{"pattern": "*", "format": "q8_0"}]})");
        auto evaluate = [](const QString& recipe) {
            return run({"eval", shared("keras/mnist_mlp.h5"), "--dataset",
                        shared("mnist/t10k-images-idx3-ubyte.gz"),
                        shared("mnist/t10k-labels-idx1-ubyte.gz"), "--recipe", recipe.toStdString(),
                        "--json"});
        };
        const Run kept = evaluate(keep);
        QVERIFY2(kept.status == 0, kept.err.c_str());
        const nlohmann::json same = nlohmann::json::parse(kept.out);
        QCOMPARE(same["kind"].get<std::string>(), std::string("classifier"));
        QCOMPARE(same["agreement"].get<double>(), 1.0);
        QCOMPARE(same["kld_mean"].get<double>(), 0.0);
        QCOMPARE(same["quantized"]["accuracy"].get<double>(), 0.9792); // raw pixels
        QCOMPARE(same["quantized"]["recipe"].get<std::string>(), keep.toStdString());
        const Run quantized = evaluate(q8);
        QVERIFY2(quantized.status == 0, quantized.err.c_str());
        const nlohmann::json report = nlohmann::json::parse(quantized.out);
        QVERIFY(report["kld_mean"].get<double>() > 0);
        QVERIFY(report["agreement"].get<double>() > 0.99);
    }

    void baselineCachedAcrossRuns() {
        BITLENS_REQUIRE_SHARED_DATA();
        QDir baselines(bitlens::test::isolateCache() + "/baselines");
        QVERIFY(baselines.removeRecursively());
        const std::vector<std::string> mnist = {"eval",
                                                shared("keras/mnist_mlp.h5"),
                                                "--dataset",
                                                shared("mnist/t10k-images-idx3-ubyte.gz"),
                                                shared("mnist/t10k-labels-idx1-ubyte.gz"),
                                                "--input-scale",
                                                "1/255"};
        auto withArgs = [](std::vector<std::string> args, std::vector<std::string> extra) {
            args.insert(args.end(), extra.begin(), extra.end());
            return args;
        };
        auto report = [](const Run& result) {
            return result.status == 0 ? nlohmann::json::parse(result.out) : nlohmann::json();
        };
        const nlohmann::json first = report(run(withArgs(mnist, {"--json"})));
        QCOMPARE(first["baseline_cached"].get<bool>(), false);
        QCOMPARE(baselines.entryList({"*.baseline"}, QDir::Files).size(), 1);
        const nlohmann::json second = report(run(withArgs(mnist, {"--json"})));
        QCOMPARE(second["baseline_cached"].get<bool>(), true);
        QCOMPARE(second["original"]["accuracy"].get<double>(), 0.98);
        const nlohmann::json bypassed = report(run(withArgs(mnist, {"--json", "--no-cache"})));
        QCOMPARE(bypassed["baseline_cached"].get<bool>(), false);
        QCOMPARE(bypassed["original"]["accuracy"].get<double>(), 0.98);
        const Run table = run(withArgs(mnist, {"--format", "int8-ch-sym"}));
        QVERIFY2(table.out.find("original accuracy: 98.00% (9800/10000)\n") != std::string::npos,
                 table.out.c_str());
        QVERIFY2(table.out.find("original baseline: from the cache\n") != std::string::npos,
                 table.out.c_str());

        const nlohmann::json computed = report(run(storiesArgs({"--ctx", "128"})));
        QCOMPARE(computed["baseline_cached"].get<bool>(), false);
        const nlohmann::json loaded =
            report(run(storiesArgs({"--ctx", "128", "--format", "q8_0"})));
        QCOMPARE(loaded["baseline_cached"].get<bool>(), true);
        QCOMPARE(loaded["original"]["ppl"].get<double>(),
                 computed["original"]["ppl"].get<double>());
        QVERIFY(loaded["kld_mean"].get<double>() > 0);
        QCOMPARE(baselines.entryList({"*.baseline"}, QDir::Files).size(), 2);
    }

    void inputErrorsNameTheFile() {
        BITLENS_REQUIRE_SHARED_DATA();
        QTemporaryDir dir;
        const std::string shortText = dir.filePath("short.txt").toStdString();
        writeFile(dir.filePath("short.txt"), "Once upon a time there was a cat.");
        const std::string model = shared("llama2c/stories260K.bin");
        const std::string tokenizer = shared("llama2c/tok512.bin");

        const Run tooShort = run({"eval", model, "--text", shortText, "--tokenizer", tokenizer});
        QCOMPARE(tooShort.status, 2);
        QVERIFY2(tooShort.err.find(shortText + ": the text tokenizes to") != std::string::npos,
                 tooShort.err.c_str());
        QVERIFY(tooShort.err.find("needs at least 1024") != std::string::npos);

        const Run noTokenizer = run({"eval", model, "--text", shortText});
        QCOMPARE(noTokenizer.status, 2);
        QVERIFY2(noTokenizer.err.find(model + ": a llama2.c checkpoint carries no tokenizer") !=
                     std::string::npos,
                 noTokenizer.err.c_str());

        const std::string other = dir.filePath("other.gguf").toStdString();
        bitlens::GgufWriter writer;
        writer.addMetadata("general.architecture", {std::string("gpt2")});
        writer.write(other);
        const Run architecture = run({"eval", other, "--text", shortText});
        QCOMPARE(architecture.status, 2);
        QVERIFY2(architecture.err.find(other + ": GGUF architecture 'gpt2' is not supported") !=
                     std::string::npos,
                 architecture.err.c_str());
        QCOMPARE(std::count(architecture.err.begin(), architecture.err.end(), '\n'), 1);
    }
};

QTEST_GUILESS_MAIN(TestEvalCommands)
#include "tst_eval_commands.moc"

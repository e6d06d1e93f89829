// SPDX-License-Identifier: MIT
#include "cli/Command.h"
#include "common/CliRun.h"
#include "common/TestData.h"

#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <nlohmann/json.hpp>
#include <sstream>
#include <zlib.h>

namespace {

using bitlens::test::Run;
using bitlens::test::run;
using bitlens::test::runRow;

void writeIdx(const QString& path, uint32_t magic, const std::vector<uint32_t>& dims,
              const std::vector<uint8_t>& data) {
    std::vector<uint32_t> header = {magic};
    header.insert(header.end(), dims.begin(), dims.end());
    std::vector<uint8_t> bytes;
    for (uint32_t word : header) // big-endian
        for (int shift = 24; shift >= 0; shift -= 8)
            bytes.push_back(uint8_t(word >> shift));
    bytes.insert(bytes.end(), data.begin(), data.end());
    gzFile file = gzopen(path.toLocal8Bit().constData(), "wb");
    gzwrite(file, bytes.data(), unsigned(bytes.size()));
    gzclose(file);
}

// A learnable toy set in Fashion-MNIST's file names: 8x8 images whose class (0..3) is the
// quadrant holding a bright square.
void writeToySet(const QTemporaryDir& dir) {
    for (const char* split : {"train", "t10k"}) {
        const uint32_t count = std::string(split) == "train" ? 400 : 100;
        std::vector<uint8_t> pixels(count * 64);
        std::vector<uint8_t> labels(count);
        for (uint32_t i = 0; i < count; ++i) {
            labels[i] = uint8_t((i * 7 + 3) % 4);
            const uint32_t top = labels[i] / 2 * 4;
            const uint32_t left = labels[i] % 2 * 4;
            for (uint32_t y = 0; y < 3; ++y)
                for (uint32_t x = 0; x < 3; ++x)
                    pixels[i * 64 + (top + y + i % 2) * 8 + left + x + i / 2 % 2] =
                        uint8_t(150 + i % 100);
        }
        writeIdx(dir.filePath(QString("%1-images-idx3-ubyte.gz").arg(split)), 0x803, {count, 8, 8},
                 pixels);
        writeIdx(dir.filePath(QString("%1-labels-idx1-ubyte.gz").arg(split)), 0x801, {count},
                 labels);
    }
}

} // namespace

class TestClassifierCommands : public QObject {
    Q_OBJECT
private slots:
    void usageErrors_data() {
        QTest::addColumn<QStringList>("args");
        QTest::newRow("eval without data set") << QStringList{"eval", "model.h5"};
        QTest::newRow("eval zero scale")
            << QStringList{"eval", "m", "--dataset", "i", "l", "--input-scale", "0"};
        QTest::newRow("eval bad fraction")
            << QStringList{"eval", "m", "--dataset", "i", "l", "--input-scale", "1/x"};
        QTest::newRow("eval unknown option") << QStringList{"eval", "m", "--batch", "4"};
        QTest::newRow("eval unknown device")
            << QStringList{"eval", "m", "--dataset", "i", "l", "--device", "tpu"};
        QTest::newRow("bench eval without data set") << QStringList{"bench", "eval", "m"};
        QTest::newRow("bench eval two models")
            << QStringList{"bench", "eval", "m", "n", "--dataset", "i", "l"};
        QTest::newRow("train-demo without output") << QStringList{"train-demo"};
        QTest::newRow("train-demo zero epochs")
            << QStringList{"train-demo", "o.h5", "--epochs", "0"};
    }
    void usageErrors() {
        QFETCH(QStringList, args);
        const Run result = runRow(args);
        QCOMPARE(result.status, 1);
        QVERIFY(result.out.empty());
        QVERIFY(!result.err.empty());
    }

    void badInputIsStatusTwo() {
        const Run result = run({"train-demo", "o.h5", "--data", "/nonexistent"});
        QCOMPARE(result.status, 2);
        QVERIFY2(result.err.find("/nonexistent/train-images-idx3-ubyte.gz") != std::string::npos,
                 result.err.c_str());
    }

    void trainThenEvaluate() {
        QTemporaryDir dir;
        writeToySet(dir);
        const std::string model = dir.filePath("toy.h5").toStdString();
        const Run trained = run({"train-demo", model, "--epochs", "3", "--seed", "5", "--data",
                                 dir.path().toStdString()});
        QCOMPARE(trained.status, 0);
        const QRegularExpression accuracyLine("test accuracy \\(float32\\): ([0-9.]+)%");
        const auto match = accuracyLine.match(QString::fromStdString(trained.out));
        QVERIFY2(match.hasMatch(), trained.out.c_str());
        const double trainedAccuracy = match.captured(1).toDouble();
        QVERIFY2(trainedAccuracy > 50.0, trained.out.c_str());

        const std::string images = dir.filePath("t10k-images-idx3-ubyte.gz").toStdString();
        const std::string labels = dir.filePath("t10k-labels-idx1-ubyte.gz").toStdString();
        const Run evaluated =
            run({"eval", model, "--dataset", images, labels, "--input-scale", "1/255", "--json"});
        QCOMPARE(evaluated.status, 0);
        const nlohmann::json report = nlohmann::json::parse(evaluated.out);
        QCOMPARE(report["kind"].get<std::string>(), std::string("classifier"));
        QCOMPARE(report["images"].get<int>(), 100);
        QCOMPARE(QString::number(100.0 * report["original"]["accuracy"].get<double>(), 'f', 2),
                 match.captured(1));
        QVERIFY(!report.contains("quantized"));

        const Run quantized = run({"eval", model, "--dataset", images, labels, "--input-scale",
                                   "1/255", "--format", "q8_0", "--json"});
        QCOMPARE(quantized.status, 0);
        const nlohmann::json comparison = nlohmann::json::parse(quantized.out);
        QVERIFY(comparison["agreement"].get<double>() >= 0.95);
        QVERIFY(comparison["kld_mean"].get<double>() >= 0.0);
        QVERIFY(comparison["quantized"]["accuracy"].get<double>() > 0.5);
    }
};

QTEST_GUILESS_MAIN(TestClassifierCommands)
#include "tst_classifier_commands.moc"

// SPDX-License-Identifier: MIT
#include "cli/Command.h"
#include "common/CliRun.h"
#include "common/TestData.h"

#include <QTemporaryDir>
#include <QTest>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

using bitlens::cli::runCommandLine;
using nlohmann::json;

namespace {

using bitlens::test::Run;
using bitlens::test::run;
using bitlens::test::runRow;

std::string shared(const char* relative) {
    return bitlens::test::sharedDataPath(QString::fromUtf8(relative)).toStdString();
}

// A JSON string's text (QCOMPARE cannot print nlohmann::json).
std::string text(const json& value) {
    return value.is_string() ? value.get<std::string>() : value.dump();
}

const json& tensorNamed(const json& report, const std::string& name) {
    for (const json& tensor : report["tensors"])
        if (tensor["name"] == name)
            return tensor;
    static const json none;
    return none;
}

// A safetensors file with one [2, 32] float32 tensor "w" holding a NaN at index 40 and an
// infinity at index 50, and one clean [2, 32] tensor "v".
void writeSafetensorsWithNaN(const std::string& path) {
    std::vector<float> w(64), v(64);
    for (int i = 0; i < 64; ++i)
        w[i] = v[i] = float(i % 9) * 0.125f - 0.5f;
    w[40] = NAN;
    w[50] = INFINITY;
    // Built as JSON: moc cannot read raw string literals.
    const std::string header =
        json{{"w", {{"dtype", "F32"}, {"shape", {2, 32}}, {"data_offsets", {0, 256}}}},
             {"v", {{"dtype", "F32"}, {"shape", {2, 32}}, {"data_offsets", {256, 512}}}}}
            .dump();
    std::ofstream file(path, std::ios::binary);
    const uint64_t length = header.size();
    file.write(reinterpret_cast<const char*>(&length), 8);
    file << header;
    file.write(reinterpret_cast<const char*>(w.data()), 256);
    file.write(reinterpret_cast<const char*>(v.data()), 256);
}

} // namespace

class TestQuantizeCommand : public QObject {
    Q_OBJECT
private slots:
    void usageErrors_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("message");
        QTest::newRow("no file") << QStringList{"quantize", "--format", "q8_0"} << 1
                                 << "no checkpoint FILE";
        QTest::newRow("no format") << QStringList{"quantize", "x.bin"} << 1 << "exactly one of";
        QTest::newRow("both") << QStringList{"quantize", "x.bin",    "--format",
                                             "q8_0",     "--recipe", "r.json"}
                              << 1 << "exactly one of";
        QTest::newRow("unknown option")
            << QStringList{"quantize", "x.bin", "--formt", "q8_0"} << 1 << "unknown option --formt";
        QTest::newRow("bad threads")
            << QStringList{"quantize", "x.bin", "--format", "q8_0", "--threads", "0"} << 1
            << "--threads expects a whole number";
        QTest::newRow("missing file")
            << QStringList{"quantize", "/nonexistent/x.bin", "--format", "q8_0"} << 2
            << "no such file";
        QTest::newRow("missing recipe")
            << QStringList{"quantize", "x.bin", "--recipe", "/nonexistent/r.json"} << 2
            << "/nonexistent/r.json: cannot be read";
        QTest::newRow("unknown format") << QStringList{"quantize", "x.bin", "--format", "q9_0"} << 2
                                        << "unknown format id 'q9_0'";
        QTest::newRow("bench without name") << QStringList{"bench"} << 1 << "'formats'";
        QTest::newRow("bench bad size")
            << QStringList{"bench", "formats", "--size", "0"} << 1 << "--size expects";
        QTest::newRow("bench unknown format")
            << QStringList{"bench", "formats", "--formats", "q9_0"} << 2 << "q9_0";
        QTest::newRow("formats extra") << QStringList{"formats", "x"} << 1 << "unexpected";
    }
    void usageErrors() {
        QFETCH(QStringList, args);
        QFETCH(int, status);
        QFETCH(QString, message);
        const Run result = runRow(args);
        QCOMPARE(result.status, status);
        QVERIFY2(QString::fromStdString(result.err).contains(message), result.err.c_str());
        QVERIFY(result.out.empty());
    }
    void formatsListsEveryFormat() {
        const Run result = run({"formats"});
        QCOMPARE(result.status, 0);
        std::istringstream lines(result.out);
        std::string header, titles, line;
        std::getline(lines, header);
        std::getline(lines, titles);
        QVERIFY2(header.find("row length 4096") != std::string::npos, header.c_str());
        QVERIFY(titles.starts_with("format"));
        bool sawQ8 = false;
        while (std::getline(lines, line))
            if (line.starts_with("q8_0 ")) {
                sawQ8 = true;
                QVERIFY2(line.find(" 8.5000  ggml Q8_0") != std::string::npos, line.c_str());
            }
        QVERIFY(sawQ8);
    }
    void llama2cWithQ8() {
        BITLENS_REQUIRE_SHARED_DATA();
        const Run result =
            run({"quantize", shared("llama2c/stories260K.bin"), "--format", "q8_0", "--json"});
        QCOMPARE(result.status, 0);
        const json report = json::parse(result.out);
        QCOMPARE(report["tensors"].size(), size_t(47));
        size_t quantized = 0, kept = 0;
        for (const json& tensor : report["tensors"]) {
            for (const char* field : {"name", "format", "bpw", "bytes", "rmse", "rel_rmse",
                                      "max_abs", "sqnr_db", "cosine"})
                QVERIFY2(tensor.contains(field), field);
            const std::string name = tensor["name"];
            if (tensor["format"] == "q8_0") {
                ++quantized;
                QCOMPARE(tensor["bpw"].get<double>(), 8.5);
                const double relative = tensor["rel_rmse"];
                QVERIFY2(relative > 0.002 && relative < 0.02, name.c_str());
                QVERIFY(tensor["sqnr_db"].get<double>() > 30);
                QVERIFY(tensor["cosine"].get<double>() > 0.9999);
                continue;
            }
            ++kept;
            QCOMPARE(text(tensor["format"]), std::string("keep"));
            QCOMPARE(tensor["rmse"].get<double>(), 0.0);
            QVERIFY(tensor["sqnr_db"].is_null());
            QCOMPARE(tensor["bpw"].get<double>(), 32.0);
            if (name.find("ffn_down") != std::string::npos) // rows of hidden_dim 172
                QVERIFY2(tensor["note"].get<std::string>().starts_with(
                             "format q8_0 does not fit row length 172"),
                         name.c_str());
            else // norms: 1-D
                QVERIFY2(name.find("norm") != std::string::npos, name.c_str());
        }
        QCOMPARE(quantized, size_t(31)); // embedding + 6 matrices in each of 5 layers
        QCOMPARE(kept, size_t(16));      // 11 norms + 5 ffn_down
        const json& totals = report["totals"];
        QCOMPARE(totals["bytes_before"].get<uint64_t>(), totals["params"].get<uint64_t>() * 4);
        QVERIFY(totals["bytes_after"].get<uint64_t>() < totals["bytes_before"].get<uint64_t>());
        QVERIFY(totals["bpw"].get<double>() > 8.5 && totals["bpw"].get<double>() < 32);
        QCOMPARE(totals["bpw_quantized"].get<double>(), 8.5);
    }
    void kerasWithInt4() {
        BITLENS_REQUIRE_SHARED_DATA();
        const Run result =
            run({"quantize", shared("keras/mnist_mlp.h5"), "--format", "int4-g32-sym", "--json"});
        QCOMPARE(result.status, 0);
        const json report = json::parse(result.out);
        QCOMPARE(report["tensors"].size(), size_t(4));
        // Dense 784 -> 128: rows of 784 values, not a multiple of 32: kept with the reason.
        const json& first = tensorNamed(report, "dense/dense/kernel:0");
        QCOMPARE(text(first["format"]), std::string("keep"));
        QVERIFY(first["note"].get<std::string>().starts_with(
            "format int4-g32-sym does not fit row length 784"));
        // Dense 128 -> 10: quantized.
        const json& second = tensorNamed(report, "dense_1/dense_1/kernel:0");
        QCOMPARE(text(second["format"]), std::string("int4-g32-sym"));
        QCOMPARE(second["bytes"].get<uint64_t>(), uint64_t(10 * 4 * (2 + 16)));
        const double relative = second["rel_rmse"];
        QVERIFY2(relative > 0.05 && relative < 0.2, std::to_string(relative).c_str());
        QVERIFY(tensorNamed(report, "dense/dense/bias:0")["format"] == "keep");
        const json& totals = report["totals"];
        QVERIFY(totals["bytes_after"].get<uint64_t>() < totals["bytes_before"].get<uint64_t>());
    }
    void tableAndTensorFilter() {
        BITLENS_REQUIRE_SHARED_DATA();
        const Run result = run({"quantize", shared("llama2c/stories260K.bin"), "--format", "q4_0",
                                "--tensor", "blk.0.*", "--threads", "2"});
        QCOMPARE(result.status, 0);
        std::istringstream lines(result.out);
        std::string line;
        std::getline(lines, line);
        QVERIFY2(line.starts_with("tensor") && line.find("SQNR dB") != std::string::npos,
                 line.c_str());
        int rows = 0;
        while (std::getline(lines, line) && !line.empty()) {
            ++rows;
            QVERIFY2(line.starts_with("blk.0."), line.c_str());
        }
        QCOMPARE(rows, 9);
        QVERIFY(result.out.find("total: 9 tensors (6 quantized, 3 kept, 0 refused)") !=
                std::string::npos);
        QVERIFY(result.out.find("4.500 over the quantized tensors only") != std::string::npos);
        const Run none = run({"quantize", shared("llama2c/stories260K.bin"), "--format", "q4_0",
                              "--tensor", "nothing*"});
        QCOMPARE(none.status, 2);
        QVERIFY(none.err.find("no tensor") != std::string::npos);
    }
    void recipeFile() {
        BITLENS_REQUIRE_SHARED_DATA();
        QTemporaryDir dir;
        const std::string path = dir.filePath("recipe.json").toStdString();
        const json recipe = {
            {"version", 1},
            {"default", "q4_k"},
            {"fallback", "q8_0"},
            {"rules", {{{"kind", "regex"}, {"pattern", "attn_[qk]"}, {"format", "q6_k"}}}},
            {"overrides", {{"token_embd.weight", "keep"}}}};
        std::ofstream(path) << recipe.dump();
        const Run result =
            run({"quantize", shared("llama2c/stories260K.bin"), "--recipe", path, "--json"});
        QCOMPARE(result.status, 0);
        const json report = json::parse(result.out);
        QCOMPARE(text(tensorNamed(report, "token_embd.weight")["format"]), std::string("keep"));
        // The rule asks for q6_k; rows of 64 values cannot take its 256-value super-blocks.
        const json& key = tensorNamed(report, "blk.1.attn_k.weight");
        QCOMPARE(text(key["format"]), std::string("q8_0"));
        QVERIFY(
            key["note"].get<std::string>().starts_with("format q6_k does not fit row length 64"));
        // Rows of 172 fit neither the default q4_k nor the fallback q8_0.
        const json& down = tensorNamed(report, "blk.3.ffn_down.weight");
        QCOMPARE(text(down["format"]), std::string("keep"));
        QVERIFY(down["note"].get<std::string>().find(
                    "fell back to keep (fallback q8_0 does not fit either") != std::string::npos);
        QCOMPARE(text(tensorNamed(report, "blk.3.ffn_norm.weight")["format"]), std::string("keep"));
    }
    void nonFiniteTensorIsRefused() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("nan.safetensors").toStdString();
        writeSafetensorsWithNaN(path);
        const Run result = run({"quantize", path, "--format", "q8_0", "--json"});
        QCOMPARE(result.status, 0);
        QVERIFY2(result.err.find("1 tensor(s) refused") != std::string::npos, result.err.c_str());
        const json report = json::parse(result.out);
        const json& w = tensorNamed(report, "w");
        QCOMPARE(text(w["status"]), std::string("refused"));
        QVERIFY(w["rmse"].is_null());
        const std::string note = w["note"];
        QVERIFY2(note.find("2 NaN/Inf values") != std::string::npos &&
                     note.find("row 1, column 8") != std::string::npos,
                 note.c_str());
        QCOMPARE(text(tensorNamed(report, "v")["status"]), std::string("quantized"));
        QCOMPARE(report["totals"]["refused"].get<int>(), 1);
    }
    void benchFormats() {
        const Run result = run({"bench", "formats", "--size", "1", "--formats", "q8_0,q4_k",
                                "--threads", "2", "--device", "cpu"});
        QCOMPARE(result.status, 0);
        QVERIFY(result.out.starts_with("synthetic weights: 64 x 4096 float32 (1.0 MiB)"));
        std::istringstream lines(result.out);
        std::string line;
        std::getline(lines, line);
        std::getline(lines, line);
        QVERIFY(line.find("MiB/s quantize") != std::string::npos);
        for (const char* id : {"q8_0", "q4_k"}) {
            QVERIFY(std::getline(lines, line));
            std::istringstream cells(line);
            std::string format, backend;
            double quantize = 0, dequantize = 0;
            unsigned threads = 0;
            cells >> format >> backend >> quantize >> dequantize >> threads;
            QCOMPARE(format, std::string(id));
            QCOMPARE(backend, std::string("cpu"));
            QVERIFY(quantize > 0 && dequantize > 0);
            QCOMPARE(threads, 2u);
        }
    }
    // With a Vulkan device (lavapipe in CI) the device's copy bandwidth comes first, and each
    // format gets a second row: timed with the ratio to the CPU reference and the kernels' memory
    // traffic against that bandwidth.
    void benchFormatsOnVulkan() {
        const Run result = run({"bench", "formats", "--size", "2", "--formats", "q8_0,nf4",
                                "--device", "vulkan", "--chunk", "1"});
        QCOMPARE(result.status, 0);
        std::istringstream lines(result.out);
        std::string line;
        std::getline(lines, line);
        std::getline(lines, line);
        QVERIFY2(line.starts_with("device memory: "), line.c_str());
        std::istringstream bandwidth(line.substr(std::string("device memory: ").size()));
        double gigabytes = 0;
        std::string unit;
        bandwidth >> gigabytes >> unit;
        QVERIFY2(gigabytes > 0 && unit == "GB/s", line.c_str());
        // the faster of the two probes, each given
        const auto probe = [&](const std::string& label) {
            const size_t at = line.find(label);
            return at == std::string::npos ? -1.0 : std::stod(line.substr(at + label.size()));
        };
        const double shader = probe("a copy shader, ");
        const double transfer = probe("vkCmdCopyBuffer, ");
        QVERIFY2(shader > 0 && transfer > 0, line.c_str());
        QCOMPARE(gigabytes, std::max(shader, transfer));
        QVERIFY2(line.ends_with("; chunks of 1.0 MiB"), line.c_str());
        std::getline(lines, line);
        QVERIFY(line.find("vs cpu") != std::string::npos);
        QVERIFY(line.find("% of copy") != std::string::npos);
        std::vector<std::string> rows;
        while (std::getline(lines, line))
            rows.push_back(line);
        QCOMPARE(rows.size(), size_t(4));
        QVERIFY(rows[0].starts_with("q8_0") && rows[0].find(" cpu ") != std::string::npos);
        QVERIFY2(rows[1].starts_with("q8_0") && rows[1].find("vulkan") != std::string::npos,
                 rows[1].c_str());
        QVERIFY2(rows[1].find("x ") != std::string::npos, rows[1].c_str());
        QVERIFY2(rows[1].ends_with("%"), rows[1].c_str());
        // Every format has a Vulkan kernel: nf4 gets a rate and a ratio too.
        QVERIFY2(rows[3].starts_with("nf4") && rows[3].find("vulkan") != std::string::npos &&
                     rows[3].find("x ") != std::string::npos,
                 rows[3].c_str());
    }
    // Without host memory imported (lavapipe can import it) the Vulkan rows say so.
    void benchNotesHostCopies() {
        qputenv("BITLENS_HOST_IMPORT", "0");
        const Run result =
            run({"bench", "formats", "--size", "1", "--formats", "q4_0", "--device", "vulkan"});
        qunsetenv("BITLENS_HOST_IMPORT");
        QCOMPARE(result.status, 0);
        std::istringstream lines(result.out);
        std::string line;
        std::vector<std::string> rows;
        while (std::getline(lines, line))
            if (line.starts_with("q4_0"))
                rows.push_back(line);
        QCOMPARE(rows.size(), size_t(2));
        QVERIFY2(rows[0].ends_with("-"), rows[0].c_str());
        QVERIFY2(rows[1].ends_with("%  host memory copied through staging buffers"),
                 rows[1].c_str());
    }
};

QTEST_GUILESS_MAIN(TestQuantizeCommand)
#include "tst_quantize.moc"

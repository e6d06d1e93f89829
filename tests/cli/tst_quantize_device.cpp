// SPDX-License-Identifier: MIT
// `quantize --device`: the same output on the CPU and on Vulkan, and the texts for a missing
// device. Needs a Vulkan device (lavapipe in CI): without one the comparison fails.
#include "cli/Command.h"
#include "common/CliRun.h"
#include "common/TestData.h"

#include <QTest>
#include <nlohmann/json.hpp>
#include <sstream>

using bitlens::cli::runCommandLine;
using nlohmann::json;

namespace {

using bitlens::test::Run;
using bitlens::test::run;

std::string stories() {
    return bitlens::test::sharedDataPath("llama2c/stories260K.bin").toStdString();
}

// Sets BITLENS_DEVICE for the scope of one test (a selector no device matches: no device).
class DeviceSelector {
public:
    explicit DeviceSelector(const char* value) { qputenv("BITLENS_DEVICE", value); }
    ~DeviceSelector() { qunsetenv("BITLENS_DEVICE"); }
};

} // namespace

class TestQuantizeDevice : public QObject {
    Q_OBJECT
private slots:
    void sameOutputOnEveryDevice_data() {
        QTest::addColumn<QString>("format");
        for (const char* format :
             {"q8_0", "int4-g32-asym", "int3-tensor-asym-mse", "nf4-dq", "fp4", "nvfp4"})
            QTest::newRow(format) << format;
    }
    void sameOutputOnEveryDevice() {
        BITLENS_REQUIRE_SHARED_DATA();
        QFETCH(QString, format);
        const std::vector<std::string> base = {"quantize", stories(), "--format",
                                               format.toStdString()};
        auto with = [&](std::vector<std::string> extra) {
            std::vector<std::string> args = base;
            args.insert(args.end(), extra.begin(), extra.end());
            return run(args);
        };
        const Run cpuTable = with({"--device", "cpu"});
        const Run vulkanTable = with({"--device", "vulkan"});
        QCOMPARE(cpuTable.status, 0);
        QCOMPARE(vulkanTable.status, 0);
        QVERIFY2(vulkanTable.err.empty(), vulkanTable.err.c_str());
        QVERIFY(cpuTable.out.find(format.toStdString()) != std::string::npos);
        QCOMPARE(vulkanTable.out, cpuTable.out); // byte for byte

        // JSON too, metrics in full precision included.
        const Run cpuJson = with({"--device", "cpu", "--json"});
        const Run vulkanJson = with({"--device", "vulkan", "--json"});
        QCOMPARE(vulkanJson.status, 0);
        QVERIFY(json::parse(cpuJson.out)["tensors"].size() > 0);
        QCOMPARE(vulkanJson.out, cpuJson.out);
    }

    void autoWithoutDeviceRunsOnCpu() {
        BITLENS_REQUIRE_SHARED_DATA();
        const std::vector<std::string> args = {"quantize", stories(), "--format", "q4_0"};
        const Run cpu = run({"quantize", stories(), "--format", "q4_0", "--device", "cpu"});
        const DeviceSelector none("no-such-device");
        const Run fallback = run(args);
        QCOMPARE(fallback.status, 0);
        QCOMPARE(fallback.err, std::string("bitlens-cli quantize: No Vulkan device: no device name "
                                           "contains 'no-such-device'; running on the CPU\n"));
        QCOMPARE(fallback.out, cpu.out);
    }

    void vulkanWithoutDeviceIsAnError() {
        BITLENS_REQUIRE_SHARED_DATA();
        const DeviceSelector none("no-such-device");
        const Run result = run({"quantize", stories(), "--format", "q4_0", "--device", "vulkan"});
        QCOMPARE(result.status, 2);
        QCOMPARE(result.err, std::string("bitlens-cli quantize: No Vulkan device: no device name "
                                         "contains 'no-such-device'\n"));
        QVERIFY(result.out.empty());
    }

    void badDeviceIsUsage() {
        const Run result = run({"quantize", "x.bin", "--format", "q4_0", "--device", "gpu"});
        QCOMPARE(result.status, 1);
        QVERIFY2(result.err.find("--device expects auto, cpu or vulkan") != std::string::npos,
                 result.err.c_str());
    }
};

QTEST_GUILESS_MAIN(TestQuantizeDevice)
#include "tst_quantize_device.moc"

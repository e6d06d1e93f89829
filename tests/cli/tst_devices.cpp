// SPDX-License-Identifier: MIT
#include "cli/Command.h"

#include <QTest>
#include <sstream>

using namespace bitlens::cli;

class TestDevices : public QObject {
    Q_OBJECT
private slots:
    void listsAndChooses() {
        std::ostringstream out;
        std::ostringstream err;
        QCOMPARE(runCommandLine({"devices"}, out, err), 0);
        const QString text = QString::fromStdString(out.str());
        QVERIFY2(text.contains("* 0: ") || text.contains("* 1: ") || text.contains("* 2: "),
                 qPrintable(text));
        for (const char* field : {"type: ", "driver: ", "Vulkan: ", "device-local memory: ",
                                  "maxStorageBufferRange: ", "subgroup size: ", "usable: yes"})
            QVERIFY2(text.contains(field), field);
        QVERIFY(text.contains("\nchosen: "));
    }

    void selectorByName() {
        std::ostringstream out;
        std::ostringstream err;
        QCOMPARE(runCommandLine({"devices", "--device", "llvmpipe"}, out, err), 0);
        const QString text = QString::fromStdString(out.str());
        QVERIFY(text.contains("by selector 'llvmpipe'"));
        // lavapipe has both properties the quantizers' exact double division needs.
        QVERIFY2(text.contains("shaderFloat64: yes, RoundingModeRTE for float32: yes (exact "
                               "divisions through doubles)"),
                 qPrintable(text));
        // a CPU device keeps float subnormals: the plain "_f64" kernels run
        QVERIFY2(text.contains("float32 subnormals: kept\n"), qPrintable(text));
        // lavapipe gathers uniform buffers faster than it loads storage buffers.
        QVERIFY2(text.contains("kernel input: uniform-buffer windows, one invocation per block\n"),
                 qPrintable(text));
        // lavapipe imports host memory: kernels read tensors and write results in place
        QVERIFY2(text.contains("host memory: used in place (VK_EXT_external_memory_host)\n"),
                 qPrintable(text));
    }

    void unknownSelectorFallsBackToCpu() {
        std::ostringstream out;
        std::ostringstream err;
        QCOMPARE(runCommandLine({"devices", "--device", "no-such-gpu"}, out, err), 2);
        QVERIFY(QString::fromStdString(out.str()).contains(
            "chosen: none: No Vulkan device: no device name contains "
            "'no-such-gpu'; BitLens will quantize on the CPU"));
    }

    void usageError() {
        std::ostringstream out;
        std::ostringstream err;
        QCOMPARE(runCommandLine({"devices", "--bogus"}, out, err), 1);
        QVERIFY(QString::fromStdString(err.str()).startsWith("usage: bitlens-cli devices"));
    }
};

QTEST_GUILESS_MAIN(TestDevices)
#include "tst_devices.moc"

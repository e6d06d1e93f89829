// SPDX-License-Identifier: MIT
#include "InputWindows.h"
#include "SpirvRegistry.h"

#include <QTest>

using namespace bitlens;

namespace {

// A fake buffer handle: the window arithmetic only passes it through.
VkBuffer fakeBuffer() {
    return reinterpret_cast<VkBuffer>(uintptr_t(0x1000));
}

} // namespace

// The window arithmetic of input_windows.glsl's host side, without a device.
class TestInputWindows : public QObject {
    Q_OBJECT
private slots:
    void windowsFollowTheInput() {
        const BufferRange input{fakeBuffer(), 64, 200000};
        const BufferRange first = inputWindow(input, 0, 0);
        QCOMPARE(first.buffer, fakeBuffer());
        QCOMPARE(first.offset, VkDeviceSize(64));
        QCOMPARE(first.size, VkDeviceSize(65536));
        const BufferRange second = inputWindow(input, 0, 1);
        QCOMPARE(second.offset, VkDeviceSize(64 + 65536));
        QCOMPARE(second.size, VkDeviceSize(65536));
        // The fourth window holds the input's last 200000 - 3 * 65536 = 3392 bytes.
        const BufferRange last = inputWindow(input, 0, 3);
        QCOMPARE(last.offset, VkDeviceSize(64 + 196608));
        QCOMPARE(last.size, VkDeviceSize(3392));
        // Windows past the end view those last bytes again (valid, never read).
        for (uint32_t window = 4; window < kInputWindowCount; ++window) {
            const BufferRange past = inputWindow(input, 0, window);
            QCOMPARE(past.offset, last.offset);
            QCOMPARE(past.size, last.size);
        }
    }

    void laterDispatchesSkipWholeWindowSets() {
        const uint64_t skip = kInputWindowCount * kInputWindowBytes; // the second dispatch
        const BufferRange input{fakeBuffer(), 0, skip + 70000};
        QCOMPARE(inputWindow(input, skip, 0).offset, VkDeviceSize(skip));
        QCOMPARE(inputWindow(input, skip, 0).size, VkDeviceSize(65536));
        QCOMPARE(inputWindow(input, skip, 1).offset, VkDeviceSize(skip + 65536));
        QCOMPARE(inputWindow(input, skip, 1).size, VkDeviceSize(70000 - 65536));
        QCOMPARE(inputWindow(input, skip, 2).offset, VkDeviceSize(skip + 65536));
    }

    void unreadWindowsStartAtTheBuffer() {
        const BufferRange small = unreadInputWindow({fakeBuffer(), 16, 100}, 65536);
        QCOMPARE(small.offset, VkDeviceSize(0));
        QCOMPARE(small.size, VkDeviceSize(116));
        QCOMPARE(unreadInputWindow({fakeBuffer(), 0, 1 << 20}, 65536).size, VkDeviceSize(65536));
        // Devices may allow as little as 16 KiB per uniform buffer.
        QCOMPARE(unreadInputWindow({fakeBuffer(), 0, 1 << 20}, 16384).size, VkDeviceSize(16384));
    }

    void workgroupInputMustDivideAWindow() {
        QCOMPARE(windowedOctets(256), uint64_t(256));
        QCOMPARE(windowedOctets(kInputWindowOctets), kInputWindowOctets);
        QCOMPARE(windowedOctets(0), uint64_t(0));
        QCOMPARE(windowedOctets(1536), uint64_t(0)); // FP8 rows of 12288 values
        QCOMPARE(windowedOctets(2 * kInputWindowOctets), uint64_t(0));
        QCOMPARE(windowedOctets(kEveryWorkgroupReadsAllInput), kEveryWorkgroupReadsAllInput);
    }

    void shadersThatIncludeTheWindowsDeclareThem() {
        for (const char* shader : {"ggml_q4_0", "ggml_iq4_nl", "ggml_q6_k", "int_quant_b4",
                                   "fp8_e4m3", "normal_float", "nvfp4", "mx_e2m1", "range"})
            QVERIFY2(declaresInputWindows(spirvInstructions(spirvModule(shader), shader)), shader);
        for (const char* shader : {"convert_f16", "histogram", "error_sums", "matmul_out_in"})
            QVERIFY2(!declaresInputWindows(spirvInstructions(spirvModule(shader), shader)), shader);
        QVERIFY(!declaresInputWindows({}));
    }
};

QTEST_GUILESS_MAIN(TestInputWindows)
#include "tst_input_windows.moc"

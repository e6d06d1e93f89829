// SPDX-License-Identifier: MIT
#include "CommandSlot.h"
#include "DeviceCatalog.h"
#include "GpuBuffer.h"
#include "KernelLibrary.h"
#include "MemoryBandwidth.h"
#include "NoVulkanDevice.h"
#include "PipelineCache.h"
#include "VulkanContext.h"
#include "VulkanError.h"
#include "core/util/Error.h"

#include <QTemporaryDir>
#include <QTest>
#include <algorithm>
#include <cstring>
#include <fstream>

using namespace bitlens;

namespace {

DeviceDescription fakeDevice(uint32_t index, std::string name, VkPhysicalDeviceType type,
                             std::string missing = {}) {
    DeviceDescription device;
    device.index = index;
    device.name = std::move(name);
    device.type = type;
    device.missingFeatures = std::move(missing);
    return device;
}

// A context choice that the options make when set and environment variable `variable` (0 or 1)
// when they do not, true by default on lavapipe with `options` otherwise as given; any other
// value of the variable is refused.
void checkSwitch(const char* variable, std::optional<bool> VulkanContextOptions::*option,
                 bool (VulkanContext::*chosen)() const, VulkanContextOptions options) {
    const auto choice = [&] {
        return (*VulkanContext::create(options).*chosen)();
    };
    qunsetenv(variable);
    options.*option = std::nullopt;
    QVERIFY(choice());
    qputenv(variable, "0");
    QVERIFY(!choice());
    options.*option = true;
    QVERIFY(choice());
    qputenv(variable, "1");
    options.*option = false;
    QVERIFY(!choice());
    options.*option = std::nullopt;
    QVERIFY(choice());
    qputenv(variable, "yes");
    QVERIFY_THROWS_EXCEPTION(Error, VulkanContext::create(options));
    qunsetenv(variable);
}

} // namespace

class TestVulkanDevice : public QObject {
    Q_OBJECT
private slots:
    void listsLavapipe() {
        const VulkanInstance instance(true);
        QVERIFY2(instance.validationEnabled(), "VK_LAYER_KHRONOS_validation is not installed");
        const std::vector<DeviceDescription> devices = describeDevices(instance);
        QVERIFY2(!devices.empty(), "no Vulkan device: run packaging/install-deps.sh (lavapipe)");
        bool usable = false;
        for (const DeviceDescription& device : devices) {
            QVERIFY(!device.name.empty());
            QVERIFY(device.apiVersion >= VK_API_VERSION_1_2 || !device.missingFeatures.empty());
            QVERIFY(device.maxStorageBufferRange >= (1u << 20));
            QVERIFY(device.subgroupSize >= 1);
            usable = usable || device.missingFeatures.empty();
        }
        QVERIFY(usable);
        QCOMPARE(instance.validationMessages(), uint64_t(0));
    }

    void preferenceOrder() {
        const std::vector<DeviceDescription> devices = {
            fakeDevice(0, "llvmpipe", VK_PHYSICAL_DEVICE_TYPE_CPU),
            fakeDevice(1, "Intel Iris", VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU),
            fakeDevice(2, "NVIDIA H100", VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU),
            fakeDevice(3, "Old GPU", VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU, "shaderInt8"),
        };
        QCOMPARE(chooseDevice(devices, ""), size_t(2));
        QCOMPARE(chooseDevice({devices[0], devices[1]}, ""), size_t(1));
        QCOMPARE(chooseDevice({devices[0]}, ""), size_t(0));
        QCOMPARE(chooseDevice(devices, "0"), size_t(0));
        QCOMPARE(chooseDevice(devices, "iris"), size_t(1));
        QCOMPARE(chooseDevice(devices, "LLVM"), size_t(0));
    }

    void selectionErrors_data() {
        QTest::addColumn<QString>("selector");
        QTest::addColumn<QString>("message");
        QTest::newRow("index out of range") << "7"
                                            << "device index 7 out of range (4 devices)";
        QTest::newRow("no such name") << "radeon"
                                      << "no device name contains 'radeon'";
        QTest::newRow("missing features") << "3"
                                          << "device 3 (Old GPU) lacks shaderInt8";
    }
    void selectionErrors() {
        QFETCH(QString, selector);
        QFETCH(QString, message);
        const std::vector<DeviceDescription> devices = {
            fakeDevice(0, "llvmpipe", VK_PHYSICAL_DEVICE_TYPE_CPU),
            fakeDevice(1, "Intel Iris", VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU),
            fakeDevice(2, "NVIDIA H100", VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU),
            fakeDevice(3, "Old GPU", VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU, "shaderInt8"),
        };
        try {
            chooseDevice(devices, selector.toStdString());
            QFAIL("no error");
        } catch (const NoVulkanDevice& error) {
            QCOMPARE(QString(error.what()), "No Vulkan device: " + message);
        }
    }

    void noDeviceAtAll() {
        QVERIFY_THROWS_EXCEPTION(NoVulkanDevice, chooseDevice({}, ""));
        const std::vector<DeviceDescription> unusable = {
            fakeDevice(0, "Old GPU", VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU, "Vulkan 1.2")};
        QVERIFY_THROWS_EXCEPTION(NoVulkanDevice, chooseDevice(unusable, ""));
    }

    void environmentSelector() {
        qputenv("BITLENS_DEVICE", "0");
        QCOMPARE(deviceSelector(""), std::string("0"));
        QCOMPARE(deviceSelector("llvm"), std::string("llvm"));
        qunsetenv("BITLENS_DEVICE");
        QCOMPARE(deviceSelector(""), std::string());
        VulkanContextOptions options;
        options.device = "no-such-device";
        QVERIFY_THROWS_EXCEPTION(NoVulkanDevice, VulkanContext::create(options));
    }

    // The held-subnormal kernels: the option, else $BITLENS_HELD_SUBNORMALS, else the device.
    void heldSubnormalsChoice() {
        DeviceDescription cpu;
        cpu.type = VK_PHYSICAL_DEVICE_TYPE_CPU;
        DeviceDescription flushingGpu;
        flushingGpu.type = VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU;
        DeviceDescription keepingGpu = flushingGpu;
        keepingGpu.denormPreserveFloat32 = true;
        VulkanContextOptions options;
        qunsetenv("BITLENS_HELD_SUBNORMALS");
        QVERIFY(!heldSubnormalsChosen(options, cpu));
        QVERIFY(heldSubnormalsChosen(options, flushingGpu));
        QVERIFY(!heldSubnormalsChosen(options, keepingGpu));
        qputenv("BITLENS_HELD_SUBNORMALS", "0");
        QVERIFY(!heldSubnormalsChosen(options, flushingGpu));
        qputenv("BITLENS_HELD_SUBNORMALS", "1");
        QVERIFY(heldSubnormalsChosen(options, cpu));
        QVERIFY(VulkanContext::create()->heldSubnormals()); // lavapipe has the "_f64" kernels
        options.heldSubnormals = false;
        QVERIFY(!heldSubnormalsChosen(options, cpu));
        options.heldSubnormals.reset();
        qputenv("BITLENS_HELD_SUBNORMALS", "yes");
        QVERIFY_THROWS_EXCEPTION(Error, heldSubnormalsChosen(options, cpu));
        qunsetenv("BITLENS_HELD_SUBNORMALS");
        QVERIFY(!VulkanContext::create()->heldSubnormals());
    }

    // Host memory is imported where the device can (lavapipe can), unless the options or
    // BITLENS_HOST_IMPORT say no; staged transfers make a unified-memory device look discrete.
    void hostImportAndStagedTransfers() {
        qunsetenv("BITLENS_HOST_IMPORT");
        VulkanContextOptions options;
        const auto lavapipe = VulkanContext::create(options);
        QVERIFY(lavapipe->unifiedMemory());
        QVERIFY(lavapipe->hostImportAlignment() > 0);
        options.stagedTransfers = true;
        const auto staged = VulkanContext::create(options);
        QVERIFY(!staged->unifiedMemory());
        QCOMPARE(staged->hostImportAlignment(), lavapipe->hostImportAlignment());
        qputenv("BITLENS_HOST_IMPORT", "0");
        QCOMPARE(VulkanContext::create(options)->hostImportAlignment(), VkDeviceSize(0));
        options.hostImport = true;
        QVERIFY(VulkanContext::create(options)->hostImportAlignment() > 0);
        options.hostImport.reset();
        qputenv("BITLENS_HOST_IMPORT", "on");
        try {
            VulkanContext::create(options);
            QFAIL("BITLENS_HOST_IMPORT=on was accepted");
        } catch (const Error& error) {
            QCOMPARE(std::string(error.what()),
                     std::string("BITLENS_HOST_IMPORT is 'on': it must be 0 or 1"));
        }
        qunsetenv("BITLENS_HOST_IMPORT");
    }

    // The "_f64" kernels run where the device divides exactly through doubles (lavapipe does),
    // unless the options or BITLENS_FLOAT64 say no.
    void float64Choice() {
        checkSwitch("BITLENS_FLOAT64", &VulkanContextOptions::float64, &VulkanContext::float64, {});
    }

    // Lane kernels run where kernels read storage buffers, unless the options or
    // $BITLENS_LANE_KERNELS say otherwise; never with input windows.
    void laneKernelsChoice() {
        qunsetenv("BITLENS_LANE_KERNELS");
        VulkanContextOptions options;
        options.laneKernels = true;
        const auto windowed = VulkanContext::create(options);
        QCOMPARE(windowed->laneKernels(), !windowed->uniformInput());
        options.uniformInput = false;
        checkSwitch("BITLENS_LANE_KERNELS", &VulkanContextOptions::laneKernels,
                    &VulkanContext::laneKernels, options);
    }

    void errorNamesCallAndResult() {
        try {
            BITLENS_VK_CHECK(VK_ERROR_OUT_OF_DEVICE_MEMORY);
            QFAIL("no error");
        } catch (const Error& error) {
            const QString text = error.what();
            QVERIFY2(text.startsWith("VK_ERROR_OUT_OF_DEVICE_MEMORY failed: "
                                     "VK_ERROR_OUT_OF_DEVICE_MEMORY (-2) at "
                                     "tst_vulkan_device.cpp:"),
                     qPrintable(text));
        }
        QCOMPARE(vulkanResultName(VkResult(-12345)), std::string_view("VK_RESULT_UNKNOWN"));
    }

    void manyBuffersComeAndGo() {
        VulkanContextOptions options;
        options.validation = true;
        auto context = VulkanContext::create(options);
        std::vector<GpuBuffer> buffers;
        for (int round = 0; round < 4; ++round) {
            for (int i = 0; i < 200; ++i) {
                const auto kind = GpuBuffer::Kind(i % 3);
                buffers.emplace_back(context, 4096 + 64 * i, kind);
                QCOMPARE(buffers.back().mapped().empty(), kind == GpuBuffer::Kind::DeviceLocal);
            }
            buffers.clear();
        }
        GpuBuffer first(context, 1024, GpuBuffer::Kind::Upload);
        first.mapped()[0] = std::byte{42};
        GpuBuffer second = std::move(first);
        QCOMPARE(first.get(), VkBuffer(VK_NULL_HANDLE));
        QVERIFY(first.mapped().empty());
        QCOMPARE(second.mapped()[0], std::byte{42});
        second = GpuBuffer(context, 16, GpuBuffer::Kind::Readback);
        QCOMPARE(second.size(), VkDeviceSize(16));
        // The buffer keeps the device alive after the last other owner is gone.
        const VulkanInstance& instance = context->instance();
        QCOMPARE(instance.validationMessages(), uint64_t(0));
        context.reset();
        second = GpuBuffer();
    }

    void pipelineCacheRoundTrip() {
        QTemporaryDir folder;
        const std::filesystem::path path = folder.filePath("cache.bin").toStdString();
        auto context = VulkanContext::create();
        {
            PipelineCache cache(context, path);
            QVERIFY(!cache.loadedFromDisk());
        }
        QVERIFY(std::filesystem::exists(path));
        {
            PipelineCache cache(context, path);
            QVERIFY(cache.loadedFromDisk());
        }
        // A damaged or foreign file is ignored, then replaced.
        std::ofstream(path, std::ios::binary | std::ios::trunc) << "BLPC garbage";
        {
            PipelineCache cache(context, path);
            QVERIFY(!cache.loadedFromDisk());
        }
        PipelineCache reloaded(context, path);
        QVERIFY(reloaded.loadedFromDisk());
        const std::string defaultPath = PipelineCache::defaultPath(context->description());
        QVERIFY2(defaultPath.find("bitlens/pipeline-cache-") != std::string::npos,
                 defaultPath.c_str());
    }

    // The bandwidth probe's copy shader copies exactly the words asked, between any offsets, in
    // partial workgroups too; both probes give a rate (lavapipe has timestamps).
    void memoryBandwidthProbes() {
        VulkanContextOptions options;
        options.validation = true;
        auto context = VulkanContext::create(options);
        KernelLibrary kernels(context);
        const ComputeKernel& copyWords = kernels.kernel(kCopyWordsShader, 2, 4);
        constexpr uint32_t kWords = 3 * 1024 + 5;
        constexpr uint64_t kSourceSkip = 256, kDestinationSkip = 512;
        GpuBuffer source(context, kSourceSkip + kWords * 16, GpuBuffer::Kind::Upload);
        GpuBuffer destination(context, kDestinationSkip + (kWords + 4) * 16,
                              GpuBuffer::Kind::Readback);
        auto* in = reinterpret_cast<uint32_t*>(source.mapped().data() + kSourceSkip);
        for (uint32_t i = 0; i < kWords * 4; ++i)
            in[i] = i * 2654435761u;
        source.flush();
        std::fill(destination.mapped().begin(), destination.mapped().end(), std::byte{0xab});
        destination.flush();
        CommandSlot slot(context);
        slot.begin();
        recordShaderCopy(slot.command(), copyWords, {source.get(), kSourceSkip, kWords * 16},
                         {destination.get(), kDestinationSkip, kWords * 16}, kWords * 16);
        CommandSlot::barrierToHost(slot.command());
        slot.submit();
        slot.wait();
        destination.invalidate();
        const std::byte* out = destination.mapped().data();
        QVERIFY(std::all_of(out, out + kDestinationSkip,
                            [](std::byte b) { return b == std::byte{0xab}; }));
        QCOMPARE(std::memcmp(out + kDestinationSkip, in, kWords * 16), 0);
        QVERIFY(std::all_of(out + kDestinationSkip + kWords * 16, out + destination.size(),
                            [](std::byte b) { return b == std::byte{0xab}; }));
        QVERIFY_THROWS_EXCEPTION(Error,
                                 recordShaderCopy(slot.command(), copyWords, {source.get(), 0, 24},
                                                  {destination.get(), 0, 24}, 24));

        // Buffers larger than lavapipe's 128 MiB storage-buffer range: the shader copies in pieces.
        const MemoryBandwidth bandwidth =
            measureMemoryBandwidth(context, copyWords, 160ull << 20, 2);
        QVERIFY(bandwidth.transfer > 1e8);
        QVERIFY(bandwidth.shader > 1e8);
        QCOMPARE(bandwidth.best(), std::max(bandwidth.transfer, bandwidth.shader));
        QCOMPARE(context->instance().validationMessages(), uint64_t(0));
    }
};

QTEST_GUILESS_MAIN(TestVulkanDevice)
#include "tst_vulkan_device.moc"

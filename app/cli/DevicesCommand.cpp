// SPDX-License-Identifier: MIT
#include "cli/DevicesCommand.h"

#include "DeviceCatalog.h"
#include "NoVulkanDevice.h"
#include "VulkanInstance.h"

#include <iomanip>
#include <ostream>

namespace bitlens::cli {
namespace {

std::string mebibytes(uint64_t bytes) {
    return std::to_string(bytes >> 20) + " MiB";
}

} // namespace

int runDevices(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    std::string option;
    for (size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--device" && i + 1 < args.size()) {
            option = args[++i];
        } else {
            err << "usage: bitlens-cli devices [--device INDEX|NAME]\n";
            return 1;
        }
    }
    const VulkanInstance instance(vulkanValidationRequested());
    const std::vector<DeviceDescription> devices = describeDevices(instance);
    const std::string selector = deviceSelector(option);
    std::string chosenText;
    size_t chosen = devices.size();
    try {
        chosen = chooseDevice(devices, selector);
    } catch (const NoVulkanDevice& error) {
        chosenText = error.what();
    }
    for (const DeviceDescription& device : devices) {
        out << (device.index == chosen ? "* " : "  ") << device.index << ": " << device.name
            << "\n      type: " << deviceTypeName(device.type)
            << "\n      driver: " << device.driverName << " (" << device.driverInfo << ")"
            << "\n      Vulkan: " << vulkanVersionText(device.apiVersion)
            << "\n      device-local memory: " << mebibytes(device.deviceLocalBytes)
            << "\n      maxStorageBufferRange: " << mebibytes(device.maxStorageBufferRange)
            << "\n      subgroup size: " << device.subgroupSize
            << "\n      shaderFloat64: " << (device.shaderFloat64 ? "yes" : "no")
            << ", RoundingModeRTE for float32: " << (device.roundToEvenFloat32 ? "yes" : "no")
            << (device.doubleDivision() ? " (exact divisions through doubles)"
                                        : " (exact divisions in float arithmetic)")
            << "\n      float32 subnormals: "
            << (device.mayFlushSubnormals() ? "may be flushed (scale searches keep them in doubles)"
                                            : "kept")
            << "\n      kernel input: "
            << (device.uniformInput()
                    ? "uniform-buffer windows, one invocation per block"
                    : "storage buffers, eight invocations per block where a format has lane "
                      "kernels (BITLENS_LANE_KERNELS=0: one)")
            << "\n      host memory: "
            << (device.hostMemoryImport ? "used in place (VK_EXT_external_memory_host)"
                                        : "copied through staging buffers")
            << "\n      usable: "
            << (device.missingFeatures.empty() ? "yes" : "no, lacks " + device.missingFeatures)
            << "\n";
    }
    if (chosen < devices.size()) {
        out << "chosen: " << chosen << " (" << devices[chosen].name << ")"
            << (selector.empty() ? "" : " by selector '" + selector + "'") << "\n";
        return 0;
    }
    out << "chosen: none: " << chosenText << "; BitLens will quantize on the CPU\n";
    return 2;
}

} // namespace bitlens::cli

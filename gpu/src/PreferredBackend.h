// SPDX-License-Identifier: MIT
#pragma once

#include "BackendKind.h"
#include "VulkanBackend.h"
#include "core/backend/CpuBackend.h"

#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>

namespace bitlens {

// The backend `--device` asks for: the Vulkan backend for Vulkan and for auto when a device
// exists, the CPU reference otherwise and for every format without a Vulkan kernel. Both give
// the same packed bytes and dequantized values; the metrics of Vulkan results are recomputed on
// the host as the CPU backend computes them (referenceMetrics), so that printed results are
// byte-identical on every device.
class PreferredBackend final : public QuantBackend {
public:
    // One line for the user, without a trailing newline.
    using Notice = std::function<void(const std::string& line)>;

    // Throws NoVulkanDevice for BackendKind::Vulkan when there is no usable device; for auto,
    // notices that the CPU runs instead. cpuThreads as CpuBackend.
    PreferredBackend(BackendKind kind, unsigned cpuThreads, Notice notice,
                     VulkanBackendOptions options = {});

    // "vulkan: <device>" or "cpu".
    std::string name() const override;
    bool usesVulkan() const { return vulkan_ != nullptr; }

    // Safe to call from several threads: Vulkan calls run one at a time. The first tensor of a
    // format that has no Vulkan kernel notices that the format runs on the CPU.
    QuantizedTensor quantize(std::span<const float> values, MatrixShape shape, const Format& format,
                             const ProgressFn& progress) override;

private:
    CpuBackend cpu_;
    std::unique_ptr<VulkanBackend> vulkan_;
    Notice notice_;
    std::mutex vulkanMutex_;
    std::mutex noticeMutex_;
    std::set<std::string> noticedFormats_;
};

} // namespace bitlens

// SPDX-License-Identifier: MIT
#include "PreferredBackend.h"

#include "NoVulkanDevice.h"

namespace bitlens {

PreferredBackend::PreferredBackend(BackendKind kind, unsigned cpuThreads, Notice notice,
                                   VulkanBackendOptions options)
    : cpu_(cpuThreads), notice_(std::move(notice)) {
    if (kind == BackendKind::Cpu)
        return;
    try {
        vulkan_ = std::make_unique<VulkanBackend>(std::move(options));
    } catch (const NoVulkanDevice& error) {
        if (kind == BackendKind::Vulkan)
            throw;
        if (notice_)
            notice_(std::string(error.what()) + "; running on the CPU");
    }
}

std::string PreferredBackend::name() const {
    return vulkan_ ? vulkan_->name() : cpu_.name();
}

QuantizedTensor PreferredBackend::quantize(std::span<const float> values, MatrixShape shape,
                                           const Format& format, const ProgressFn& progress) {
    if (vulkan_ && vulkan_->supports(format)) {
        QuantizedTensor result;
        {
            const std::lock_guard lock(vulkanMutex_);
            result = vulkan_->quantize(values, shape, format, progress);
        }
        result.metrics =
            referenceMetrics(values, result.dequantized, format, shape, cpu_.threads());
        return result;
    }
    if (vulkan_ && notice_) {
        const std::lock_guard lock(noticeMutex_);
        if (noticedFormats_.insert(format.id()).second)
            notice_("format " + format.id() + " has no Vulkan kernel yet; running it on the CPU");
    }
    return cpu_.quantize(values, shape, format, progress);
}

} // namespace bitlens

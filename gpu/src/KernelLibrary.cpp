// SPDX-License-Identifier: MIT
#include "KernelLibrary.h"

namespace bitlens {

KernelLibrary::KernelLibrary(std::shared_ptr<VulkanContext> context,
                             std::filesystem::path cachePath)
    : context_(context), cache_(std::move(context), std::move(cachePath)) {}

const ComputeKernel& KernelLibrary::kernel(const std::string& shader, uint32_t bindings,
                                           uint32_t pushConstantBytes,
                                           const std::vector<uint32_t>& specialization) {
    std::lock_guard lock(mutex_);
    auto key = std::make_pair(shader, specialization);
    auto found = kernels_.find(key);
    if (found == kernels_.end())
        found =
            kernels_
                .emplace(std::move(key),
                         std::make_unique<ComputeKernel>(context_, cache_.get(), shader, bindings,
                                                         pushConstantBytes, specialization))
                .first;
    return *found->second;
}

} // namespace bitlens

// SPDX-License-Identifier: MIT
#include "KernelLibrary.h"

#include "SpirvRegistry.h"

namespace bitlens {

KernelLibrary::KernelLibrary(std::shared_ptr<VulkanContext> context,
                             std::filesystem::path cachePath)
    : context_(context), cache_(std::move(context), std::move(cachePath)) {}

const ComputeKernel& KernelLibrary::kernel(const std::string& shader, uint32_t bindings,
                                           uint32_t pushConstantBytes,
                                           const std::vector<uint32_t>& specialization,
                                           uint64_t inputOctetsPerWorkgroup) {
    std::lock_guard lock(mutex_);
    const std::string doubles = shader + "_f64";
    const std::string held = doubles + "_held";
    const std::string& variant = context_->heldSubnormals() && hasSpirvModule(held) ? held
                                 : context_->float64() && hasSpirvModule(doubles)   ? doubles
                                                                                    : shader;
    auto key = std::make_tuple(variant, specialization, inputOctetsPerWorkgroup);
    auto found = kernels_.find(key);
    if (found == kernels_.end())
        found = kernels_
                    .emplace(std::move(key),
                             std::make_unique<ComputeKernel>(
                                 context_, cache_.get(), variant, bindings, pushConstantBytes,
                                 specialization, inputOctetsPerWorkgroup))
                    .first;
    return *found->second;
}

} // namespace bitlens

// SPDX-License-Identifier: MIT
#pragma once

#include "ComputeKernel.h"
#include "PipelineCache.h"

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

namespace bitlens {

// The compute pipelines of one context, built on first use through the on-disk pipeline cache
// and kept until the library is destroyed. Thread-safe.
class KernelLibrary {
public:
    explicit KernelLibrary(std::shared_ptr<VulkanContext> context,
                           std::filesystem::path cachePath = {});

    // The pipeline for this shader variant and specialization; the same (shader, specialization)
    // must always be asked with the same bindings and push-constant size. On a context with
    // float64() the variant "<shader>_f64" is used where one was compiled, and with
    // heldSubnormals() "<shader>_f64_held" before it. Shaders with input
    // windows may give inputOctetsPerWorkgroup (see ComputeKernel).
    const ComputeKernel& kernel(const std::string& shader, uint32_t bindings,
                                uint32_t pushConstantBytes,
                                const std::vector<uint32_t>& specialization = {},
                                uint64_t inputOctetsPerWorkgroup = 0);

    const PipelineCache& cache() const { return cache_; }

private:
    std::shared_ptr<VulkanContext> context_;
    PipelineCache cache_;
    std::mutex mutex_;
    std::map<std::tuple<std::string, std::vector<uint32_t>, uint64_t>,
             std::unique_ptr<ComputeKernel>>
        kernels_;
};

} // namespace bitlens

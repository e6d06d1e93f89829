// SPDX-License-Identifier: MIT
#include "cli/ClassifierEngineChoice.h"

#include "AttentionOp.h"
#include "NoVulkanDevice.h"
#include "VulkanClassifierEngine.h"
#include "VulkanLlamaEngine.h"

#include <ostream>

namespace bitlens::cli {
namespace {

// VulkanEngine on a fresh session, or CpuEngine as `device` allows.
template <typename Engine, typename CpuEngine, typename VulkanEngine>
std::shared_ptr<const Engine> chooseEngine(BackendKind device, std::ostream& err) {
    if (device == BackendKind::Cpu)
        return std::make_shared<CpuEngine>();
    try {
        return std::make_shared<VulkanEngine>(ComputeSession::create());
    } catch (const NoVulkanDevice& error) {
        if (device == BackendKind::Vulkan)
            throw;
        err << "bitlens-cli: " << error.what() << "; evaluating on the CPU\n";
        return std::make_shared<CpuEngine>();
    }
}

} // namespace

std::shared_ptr<const ClassifierEngine> chooseClassifierEngine(BackendKind device,
                                                               std::ostream& err) {
    return chooseEngine<ClassifierEngine, CpuClassifierEngine, VulkanClassifierEngine>(device, err);
}

std::shared_ptr<const LlamaEngine> chooseLlamaEngine(BackendKind device, uint64_t contextLength,
                                                     std::ostream& err) {
    if (device == BackendKind::Auto && contextLength > kMaxAttentionPositions) {
        err << "bitlens-cli: a context of " << contextLength
            << " tokens exceeds the Vulkan attention's " << kMaxAttentionPositions
            << "; evaluating on the CPU\n";
        return std::make_shared<CpuLlamaEngine>();
    }
    return chooseEngine<LlamaEngine, CpuLlamaEngine, VulkanLlamaEngine>(device, err);
}

} // namespace bitlens::cli

// SPDX-License-Identifier: MIT
#include "cli/ClassifierEngineChoice.h"

#include "NoVulkanDevice.h"
#include "VulkanClassifierEngine.h"
#include "VulkanLlamaEngine.h"
#include "core/util/Error.h"

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

std::shared_ptr<const LlamaEngine> chooseLlamaEngine(BackendKind device, const LlamaConfig& config,
                                                     uint64_t contextLength, std::ostream& err) {
    std::shared_ptr<const LlamaEngine> engine =
        chooseEngine<LlamaEngine, CpuLlamaEngine, VulkanLlamaEngine>(device, err);
    const std::string limitation = engine->limitation(config, contextLength);
    if (limitation.empty())
        return engine;
    if (device == BackendKind::Vulkan)
        throw Error(engine->name() + ": " + limitation);
    err << "bitlens-cli: " << limitation << "; evaluating on the CPU\n";
    return std::make_shared<CpuLlamaEngine>();
}

} // namespace bitlens::cli

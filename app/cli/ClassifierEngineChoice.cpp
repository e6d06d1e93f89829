// SPDX-License-Identifier: MIT
#include "cli/ClassifierEngineChoice.h"

#include "NoVulkanDevice.h"
#include "VulkanClassifierEngine.h"

#include <ostream>

namespace bitlens::cli {

std::shared_ptr<const ClassifierEngine> chooseClassifierEngine(BackendKind device,
                                                               std::ostream& err) {
    if (device == BackendKind::Cpu)
        return std::make_shared<CpuClassifierEngine>();
    try {
        return std::make_shared<VulkanClassifierEngine>(ComputeSession::create());
    } catch (const NoVulkanDevice& error) {
        if (device == BackendKind::Vulkan)
            throw;
        err << "bitlens-cli: " << error.what() << "; evaluating on the CPU\n";
        return std::make_shared<CpuClassifierEngine>();
    }
}

} // namespace bitlens::cli

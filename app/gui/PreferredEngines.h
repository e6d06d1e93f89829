// SPDX-License-Identifier: MIT
#pragma once

#include "core/eval/ClassifierEngine.h"
#include "core/eval/LlamaEngine.h"

#include <QString>
#include <memory>

namespace bitlens::app {

// The engines the studio evaluates with: Vulkan, on a compute session of its own, when a device
// exists; else the CPU reference, with a notice for the user. The device is opened on first use,
// on the calling thread (a worker, never the GUI thread). One thread at a time.
class PreferredEngines {
public:
    std::shared_ptr<const ClassifierEngine> classifier();
    // The CPU reference also when the Vulkan engine cannot run `config` at `contextLength`
    // (LlamaEngine::limitation).
    std::shared_ptr<const LlamaEngine> languageModel(const LlamaConfig& config,
                                                     uint64_t contextLength);
    // Why the CPU runs the engine last asked for instead of Vulkan; empty when Vulkan runs it.
    QString notice() const { return notice_; }

private:
    void open();

    bool opened_ = false;
    std::shared_ptr<const ClassifierEngine> classifier_;
    std::shared_ptr<const LlamaEngine> languageModel_;
    std::shared_ptr<const LlamaEngine> cpuLanguageModel_;
    QString deviceNotice_; // why there is no Vulkan engine at all
    QString notice_;
};

} // namespace bitlens::app

// SPDX-License-Identifier: MIT
#include "gui/PreferredEngines.h"

#include "NoVulkanDevice.h"
#include "VulkanClassifierEngine.h"
#include "VulkanLlamaEngine.h"

#include <QObject>

namespace bitlens::app {

void PreferredEngines::open() {
    if (opened_)
        return;
    cpuLanguageModel_ = std::make_shared<CpuLlamaEngine>();
    try {
        const std::shared_ptr<ComputeSession> session = ComputeSession::create();
        classifier_ = std::make_shared<VulkanClassifierEngine>(session);
        languageModel_ = std::make_shared<VulkanLlamaEngine>(session);
    } catch (const NoVulkanDevice& error) {
        classifier_ = std::make_shared<CpuClassifierEngine>();
        languageModel_ = cpuLanguageModel_;
        deviceNotice_ =
            QObject::tr("%1; evaluating on the CPU.").arg(QString::fromUtf8(error.what()));
    }
    opened_ = true;
}

std::shared_ptr<const ClassifierEngine> PreferredEngines::classifier() {
    open();
    notice_ = deviceNotice_;
    return classifier_;
}

std::shared_ptr<const LlamaEngine> PreferredEngines::languageModel(const LlamaConfig& config,
                                                                   uint64_t contextLength) {
    open();
    notice_ = deviceNotice_;
    const std::string limitation = languageModel_->limitation(config, contextLength);
    if (limitation.empty())
        return languageModel_;
    notice_ = QObject::tr("%1; evaluating on the CPU.").arg(QString::fromStdString(limitation));
    return cpuLanguageModel_;
}

} // namespace bitlens::app

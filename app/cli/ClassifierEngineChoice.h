// SPDX-License-Identifier: MIT
#pragma once

#include "BackendKind.h"
#include "core/eval/ClassifierEngine.h"
#include "core/eval/LlamaEngine.h"

#include <iosfwd>
#include <memory>

namespace bitlens::cli {

// The engine `--device` asks for: cpu the CPU reference; vulkan the first Vulkan device (throws
// NoVulkanDevice when there is none); auto Vulkan when a device exists, else the CPU reference
// with a notice on `err`.
std::shared_ptr<const ClassifierEngine> chooseClassifierEngine(BackendKind device,
                                                               std::ostream& err);

// The same choice for language models. When the Vulkan engine cannot run `config` at
// `contextLength` (LlamaEngine::limitation), auto takes the CPU reference with a notice and vulkan
// throws Error.
std::shared_ptr<const LlamaEngine> chooseLlamaEngine(BackendKind device, const LlamaConfig& config,
                                                     uint64_t contextLength, std::ostream& err);

} // namespace bitlens::cli

// SPDX-License-Identifier: MIT
#pragma once

#include "BackendKind.h"
#include "core/eval/ClassifierEngine.h"

#include <iosfwd>
#include <memory>

namespace bitlens::cli {

// The engine `--device` asks for: cpu the CPU reference; vulkan the first Vulkan device (throws
// NoVulkanDevice when there is none); auto Vulkan when a device exists, else the CPU reference
// with a notice on `err`.
std::shared_ptr<const ClassifierEngine> chooseClassifierEngine(BackendKind device,
                                                               std::ostream& err);

} // namespace bitlens::cli

// SPDX-License-Identifier: MIT
#pragma once

#include "cli/Command.h"

namespace bitlens::cli {

// `quantize FILE (--format ID | --recipe R.json) [--tensor GLOB] [--json] [--threads N]
// [--device auto|cpu|vulkan]`: quantizes every selected tensor (PreferredBackend) and prints
// per-tensor error metrics and totals.
Command quantizeCommand();

} // namespace bitlens::cli

// SPDX-License-Identifier: MIT
#pragma once

#include "cli/Command.h"

namespace bitlens::cli {

// `quantize FILE (--format ID | --recipe R.json) [--tensor GLOB] [--json] [--threads N]`:
// quantizes every selected tensor on the CPU and prints per-tensor error metrics and totals.
Command quantizeCommand();

} // namespace bitlens::cli

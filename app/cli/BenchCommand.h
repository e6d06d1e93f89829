// SPDX-License-Identifier: MIT
#pragma once

#include "cli/Command.h"

namespace bitlens::cli {

// `bench formats [--size MB] [--formats a,b,c] [--threads N]`: quantize/dequantize throughput
// of each format on a synthetic tensor, for every backend in benchTargets(); `bench eval ...`:
// a classifier's forward-pass throughput per engine (EvalBench.h).
Command benchCommand();

} // namespace bitlens::cli

// SPDX-License-Identifier: MIT
#pragma once

#include "cli/Command.h"

namespace bitlens::cli {

// `bench formats [--size MB] [--formats a,b,c] [--threads N]`: quantize/dequantize throughput
// of each format on a synthetic tensor, for every backend in benchTargets().
Command benchCommand();

} // namespace bitlens::cli

// SPDX-License-Identifier: MIT
#pragma once

#include "cli/Command.h"

namespace bitlens::cli {

// `formats`: every listed format id with its bits per weight and description.
Command formatsCommand();

} // namespace bitlens::cli

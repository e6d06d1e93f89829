// SPDX-License-Identifier: MIT
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace bitlens::cli {

// `bitlens-cli devices [--device SELECTOR]`: every Vulkan device with its properties, and which
// one BitLens would use ($BITLENS_DEVICE or --device picks by index or name).
int runDevices(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

} // namespace bitlens::cli

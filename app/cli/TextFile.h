// SPDX-License-Identifier: MIT
#pragma once

#include <string>

namespace bitlens::cli {

// The whole file's bytes. Throws FileError naming `path` when it cannot be opened or read.
std::string readTextFile(const std::string& path);

} // namespace bitlens::cli

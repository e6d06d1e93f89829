// SPDX-License-Identifier: MIT
#include "cli/TextFile.h"

#include "core/util/Error.h"

#include <fstream>
#include <iterator>

namespace bitlens::cli {

std::string readTextFile(const std::string& path) {
    std::ifstream file(path, std::ios::binary);
    if (!file)
        throw FileError(path, "cannot be opened for reading");
    std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    if (file.bad())
        throw FileError(path, "cannot be read");
    return text;
}

} // namespace bitlens::cli

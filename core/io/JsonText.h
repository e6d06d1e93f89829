// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string_view>

namespace bitlens {

// Parses untrusted JSON that must be an object. Throws FileError(path, ...) naming `what` on a
// parse error (with the parser's text), on a non-object, and on a key repeated within one object
// (nlohmann would silently keep the last one).
nlohmann::json parseJsonObject(std::string_view text, const std::filesystem::path& path,
                               std::string_view what);

// Maps the whole file (at most maxBytes) and parses it with parseJsonObject.
nlohmann::json readJsonObjectFile(const std::filesystem::path& path, uint64_t maxBytes,
                                  std::string_view what);

} // namespace bitlens

// SPDX-License-Identifier: MIT
#include "core/io/JsonText.h"

#include "core/io/MappedFile.h"
#include "core/util/Error.h"

#include <string>
#include <unordered_set>
#include <vector>

namespace bitlens {

nlohmann::json parseJsonObject(std::string_view text, const std::filesystem::path& path,
                               std::string_view what) {
    using Event = nlohmann::json::parse_event_t;
    // Keys seen so far in each object that is still open, innermost last.
    std::vector<std::unordered_set<std::string>> openObjects;
    const auto rejectDuplicates = [&](int, Event event, nlohmann::json& parsed) {
        if (event == Event::object_start) {
            openObjects.emplace_back();
        } else if (event == Event::object_end) {
            openObjects.pop_back();
        } else if (event == Event::key) {
            const std::string& key = parsed.get_ref<const std::string&>();
            if (!openObjects.back().insert(key).second)
                throw FileError(path, std::string(what) + " has the key '" + key +
                                          "' twice in one object (duplicate)");
        }
        return true;
    };
    nlohmann::json result;
    try {
        result = nlohmann::json::parse(text, rejectDuplicates);
    } catch (const nlohmann::json::parse_error& error) {
        throw FileError(path, std::string(what) + " is not valid JSON: " + error.what());
    }
    if (!result.is_object())
        throw FileError(path, std::string(what) + " is not a JSON object");
    return result;
}

nlohmann::json readJsonObjectFile(const std::filesystem::path& path, uint64_t maxBytes,
                                  std::string_view what) {
    const MappedFile file(path);
    if (file.size() > maxBytes)
        throw FileError(path, std::string(what) + " has " + std::to_string(file.size()) +
                                  " bytes, more than the limit of " + std::to_string(maxBytes));
    const auto bytes = file.bytes();
    return parseJsonObject({reinterpret_cast<const char*>(bytes.data()), bytes.size()}, path, what);
}

} // namespace bitlens

// SPDX-License-Identifier: MIT
#include "core/util/JsonSummary.h"

#include <algorithm>

namespace bitlens {

nlohmann::json summarizeLongArrays(const nlohmann::json& value, size_t maxArrayLength,
                                   size_t keptItems) {
    if (value.is_object()) {
        nlohmann::json result = nlohmann::json::object();
        for (const auto& [key, member] : value.items())
            result[key] = summarizeLongArrays(member, maxArrayLength, keptItems);
        return result;
    }
    if (!value.is_array())
        return value;
    const bool shorten = value.size() > maxArrayLength;
    const size_t kept = shorten ? std::min(keptItems, value.size()) : value.size();
    nlohmann::json items = nlohmann::json::array();
    for (size_t i = 0; i < kept; ++i)
        items.push_back(summarizeLongArrays(value[i], maxArrayLength, keptItems));
    if (!shorten)
        return items;
    return {{"array_length", value.size()}, {"first", std::move(items)}};
}

} // namespace bitlens

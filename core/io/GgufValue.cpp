// SPDX-License-Identifier: MIT
#include "core/io/GgufValue.h"

namespace bitlens {

std::string_view ggufTypeName(GgufType type) {
    switch (type) {
    case GgufType::UInt8:
        return "UINT8";
    case GgufType::Int8:
        return "INT8";
    case GgufType::UInt16:
        return "UINT16";
    case GgufType::Int16:
        return "INT16";
    case GgufType::UInt32:
        return "UINT32";
    case GgufType::Int32:
        return "INT32";
    case GgufType::Float32:
        return "FLOAT32";
    case GgufType::Bool:
        return "BOOL";
    case GgufType::String:
        return "STRING";
    case GgufType::Array:
        return "ARRAY";
    case GgufType::UInt64:
        return "UINT64";
    case GgufType::Int64:
        return "INT64";
    case GgufType::Float64:
        return "FLOAT64";
    }
    return "unknown";
}

uint64_t ggufMinimumValueSize(GgufType type) {
    switch (type) {
    case GgufType::UInt8:
    case GgufType::Int8:
    case GgufType::Bool:
        return 1;
    case GgufType::UInt16:
    case GgufType::Int16:
        return 2;
    case GgufType::UInt32:
    case GgufType::Int32:
    case GgufType::Float32:
        return 4;
    case GgufType::String:
    case GgufType::UInt64:
    case GgufType::Int64:
    case GgufType::Float64:
        return 8;
    case GgufType::Array:
        return 12;
    }
    return 1;
}

nlohmann::json ggufValueToJson(const GgufValue& value) {
    return std::visit(
        [](const auto& item) -> nlohmann::json {
            using T = std::decay_t<decltype(item)>;
            if constexpr (std::is_same_v<T, GgufArray>) {
                nlohmann::json array = nlohmann::json::array();
                array.get_ref<nlohmann::json::array_t&>().reserve(item.elements.size());
                for (const GgufValue& element : item.elements)
                    array.push_back(ggufValueToJson(element));
                return array;
            } else {
                return nlohmann::json(item);
            }
        },
        value.data);
}

} // namespace bitlens

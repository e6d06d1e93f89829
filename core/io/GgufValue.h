// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace bitlens {

// GGUF metadata value types; the numbers are the ids stored in the file.
enum class GgufType : uint32_t {
    UInt8 = 0,
    Int8 = 1,
    UInt16 = 2,
    Int16 = 3,
    UInt32 = 4,
    Int32 = 5,
    Float32 = 6,
    Bool = 7,
    String = 8,
    Array = 9,
    UInt64 = 10,
    Int64 = 11,
    Float64 = 12,
};
inline constexpr uint32_t kGgufTypeCount = 13;

inline constexpr char kGgufMagic[4] = {'G', 'G', 'U', 'F'};
inline constexpr uint32_t kGgufDefaultAlignment = 32;
inline constexpr std::string_view kGgufAlignmentKey = "general.alignment";

std::string_view ggufTypeName(GgufType type);
// Fewest bytes a value of this type takes in a file: a string its length field, an array its
// element type and count. Bounds array counts before anything is reserved.
uint64_t ggufMinimumValueSize(GgufType type);

struct GgufValue;

// Every element has elementType; an empty array still names its element type.
struct GgufArray {
    GgufType elementType = GgufType::UInt8;
    std::vector<GgufValue> elements;
};

// One typed metadata value. The alternatives are listed in GgufType order, so the active index
// is the type id written to the file.
struct GgufValue {
    std::variant<uint8_t, int8_t, uint16_t, int16_t, uint32_t, int32_t, float, bool, std::string,
                 GgufArray, uint64_t, int64_t, double>
        data;

    GgufType type() const { return static_cast<GgufType>(data.index()); }
};

// JSON form kept in Checkpoint::metadata(): numbers, booleans, strings, arrays (nesting kept).
nlohmann::json ggufValueToJson(const GgufValue& value);

} // namespace bitlens

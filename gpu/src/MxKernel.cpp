// SPDX-License-Identifier: MIT
#include "MxKernel.h"

#include "BlockKernel.h"

#include <string_view>

namespace bitlens {
namespace {

struct MxVariant {
    std::string_view formatId;
    const char* shader;
};
constexpr MxVariant kVariants[] = {
    {"mxfp8-e4m3", "mx_e4m3"}, {"mxfp8-e5m2", "mx_e5m2"}, {"mxfp6-e2m3", "mx_e2m3"},
    {"mxfp6-e3m2", "mx_e3m2"}, {"mxfp4", "mx_e2m1"},      {"mxint8", "mx_int8"},
};
constexpr uint64_t kBlock = 32;
constexpr uint64_t kBlocksPerWorkgroup = 64; // local_size_x of mx.comp; mx_lanes.comp too

} // namespace

std::unique_ptr<FormatKernel> MxKernel::create(const Format& format) {
    if (format.family() != FormatFamily::Microscaling)
        return nullptr;
    const std::string id = format.id();
    for (const MxVariant& variant : kVariants)
        if (variant.formatId == id)
            return std::make_unique<BlockKernel>(variant.shader, kBlock, kBlocksPerWorkgroup,
                                                 /*inputWindows=*/true, /*laneVariant=*/true);
    return nullptr;
}

} // namespace bitlens

// SPDX-License-Identifier: MIT
#include "core/quant/FormatRegistry.h"

#include "core/quant/Float8Format.h"
#include "core/quant/GgmlFormat.h"
#include "core/quant/IntegerFormat.h"
#include "core/quant/MicroscalingFormat.h"
#include "core/quant/NormalFloatFormat.h"
#include "core/quant/Nvfp4Format.h"
#include "core/util/Error.h"

#include <map>
#include <mutex>

namespace bitlens {
namespace {

// Each family contributes its factory and its listed ids here.
struct Family {
    FormatFactory factory;
    std::vector<std::string> (*listedIds)();
};

const std::vector<Family>& families() {
    static const std::vector<Family> list = {
        {makeIntegerFormat, integerFormatIds},           // int{B}-{gG|ch|tensor}-{sym|asym}...
        {makeNormalFloatFormat, normalFloatFormatIds},   // nf4, fp4, nf4-dq, fp4-dq
        {makeFloat8Format, float8FormatIds},             // fp8-e4m3, fp8-e5m2 [-ch]
        {makeMicroscalingFormat, microscalingFormatIds}, // mxfp8/6/4, mxint8
        {makeNvfp4Format, nvfp4FormatIds},               // nvfp4
        {makeGgmlFormat, listedGgmlFormatIds},
    };
    return list;
}

} // namespace

std::shared_ptr<const Format> makeFormat(std::string_view id) {
    static std::mutex mutex;
    static std::map<std::string, std::shared_ptr<const Format>, std::less<>> cache;
    std::lock_guard lock(mutex);
    if (auto found = cache.find(id); found != cache.end())
        return found->second;
    for (const Family& family : families()) {
        if (auto format = family.factory(id)) {
            cache.emplace(std::string(id), format);
            return format;
        }
    }
    throw Error("unknown format id '" + std::string(id) + "' (bitlens-cli formats lists them)");
}

std::vector<std::string> listedFormatIds() {
    std::vector<std::string> ids;
    for (const Family& family : families())
        for (std::string& id : family.listedIds())
            ids.push_back(std::move(id));
    return ids;
}

} // namespace bitlens

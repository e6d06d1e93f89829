// SPDX-License-Identifier: MIT
#include "PipelineCache.h"

#include "VulkanError.h"
#include "core/util/Error.h"

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <vector>

namespace bitlens {
namespace {

constexpr char kMagic[4] = {'B', 'L', 'P', 'C'};
constexpr uint32_t kFileVersion = 1;
constexpr uint64_t kMaxCacheBytes = 256ull << 20;

// The cache data the file holds when it is ours and was made by this device and driver.
std::vector<char> readCacheFile(const std::filesystem::path& path,
                                const DeviceDescription& device) {
    std::ifstream file(path, std::ios::binary);
    char magic[4];
    uint32_t version = 0;
    uint64_t bytes = 0;
    if (!file.read(magic, 4) || std::memcmp(magic, kMagic, 4) != 0 ||
        !file.read(reinterpret_cast<char*>(&version), sizeof version) || version != kFileVersion ||
        !file.read(reinterpret_cast<char*>(&bytes), sizeof bytes) ||
        bytes < sizeof(VkPipelineCacheHeaderVersionOne) || bytes > kMaxCacheBytes)
        return {};
    std::vector<char> data(bytes);
    if (!file.read(data.data(), std::streamsize(bytes)))
        return {};
    VkPipelineCacheHeaderVersionOne header;
    std::memcpy(&header, data.data(), sizeof header);
    if (header.headerVersion != VK_PIPELINE_CACHE_HEADER_VERSION_ONE ||
        header.vendorID != device.vendorId || header.deviceID != device.deviceId ||
        std::memcmp(header.pipelineCacheUUID, device.pipelineCacheUuid.data(), VK_UUID_SIZE) != 0)
        return {};
    return data;
}

} // namespace

std::filesystem::path PipelineCache::defaultPath(const DeviceDescription& device) {
    std::filesystem::path folder;
    if (const char* cache = std::getenv("XDG_CACHE_HOME"); cache && *cache)
        folder = cache;
    else if (const char* home = std::getenv("HOME"); home && *home)
        folder = std::filesystem::path(home) / ".cache";
    else
        return {};
    std::string uuid;
    for (uint8_t byte : device.pipelineCacheUuid) {
        const char* digits = "0123456789abcdef";
        uuid += digits[byte >> 4];
        uuid += digits[byte & 15];
    }
    return folder / "bitlens" / ("pipeline-cache-" + uuid + ".bin");
}

PipelineCache::PipelineCache(std::shared_ptr<VulkanContext> context, std::filesystem::path path)
    : context_(std::move(context)),
      path_(path.empty() ? defaultPath(context_->description()) : std::move(path)) {
    std::vector<char> data;
    if (!path_.empty())
        data = readCacheFile(path_, context_->description());
    VkPipelineCacheCreateInfo info{VK_STRUCTURE_TYPE_PIPELINE_CACHE_CREATE_INFO};
    info.initialDataSize = data.size();
    info.pInitialData = data.empty() ? nullptr : data.data();
    if (vkCreatePipelineCache(context_->device(), &info, nullptr, &cache_) == VK_SUCCESS) {
        loaded_ = !data.empty();
        return;
    }
    // A driver that rejects the saved data: start empty.
    info.initialDataSize = 0;
    info.pInitialData = nullptr;
    BITLENS_VK_CHECK(vkCreatePipelineCache(context_->device(), &info, nullptr, &cache_));
}

PipelineCache::~PipelineCache() {
    try {
        save();
    } catch (const std::exception& error) {
        std::cerr << "bitlens: pipeline cache not saved: " << error.what() << "\n";
    }
    vkDestroyPipelineCache(context_->device(), cache_, nullptr);
}

void PipelineCache::save() const {
    if (path_.empty())
        return;
    size_t bytes = 0;
    BITLENS_VK_CHECK(vkGetPipelineCacheData(context_->device(), cache_, &bytes, nullptr));
    std::vector<char> data(bytes);
    BITLENS_VK_CHECK(vkGetPipelineCacheData(context_->device(), cache_, &bytes, data.data()));
    data.resize(bytes);

    std::error_code ignored;
    std::filesystem::create_directories(path_.parent_path(), ignored);
    const std::filesystem::path temporary = path_.string() + ".tmp";
    {
        std::ofstream file(temporary, std::ios::binary | std::ios::trunc);
        const uint64_t size = bytes;
        file.write(kMagic, 4);
        file.write(reinterpret_cast<const char*>(&kFileVersion), sizeof kFileVersion);
        file.write(reinterpret_cast<const char*>(&size), sizeof size);
        file.write(data.data(), std::streamsize(data.size()));
        if (!file.flush()) {
            std::filesystem::remove(temporary, ignored);
            throw Error(temporary.string() + ": cannot write the pipeline cache");
        }
    }
    std::error_code error;
    std::filesystem::rename(temporary, path_, error);
    if (error) {
        std::filesystem::remove(temporary, ignored);
        throw Error(path_.string() + ": cannot write the pipeline cache: " + error.message());
    }
}

} // namespace bitlens

// SPDX-License-Identifier: MIT
#pragma once

#include "VulkanContext.h"

#include <filesystem>
#include <memory>

namespace bitlens {

// A VkPipelineCache kept on disk between runs, one file per device:
// $XDG_CACHE_HOME (or ~/.cache)/bitlens/pipeline-cache-<pipelineCacheUUID>.bin.
// The file is "BLPC", a format version, the data size, then the driver's cache data; a file that
// is unreadable, of another version, or made for another device/driver is ignored.
class PipelineCache {
public:
    // path empty: the default location above (no file at all when no home folder is known).
    explicit PipelineCache(std::shared_ptr<VulkanContext> context, std::filesystem::path path = {});
    // Saves (best effort: a cache that cannot be written costs only start-up time).
    ~PipelineCache();
    PipelineCache(const PipelineCache&) = delete;
    PipelineCache& operator=(const PipelineCache&) = delete;

    VkPipelineCache get() const { return cache_; }
    const std::filesystem::path& path() const { return path_; }
    bool loadedFromDisk() const { return loaded_; }
    // Writes the cache file atomically (temporary file, then rename). Throws Error on failure.
    void save() const;

    static std::filesystem::path defaultPath(const DeviceDescription& device);

private:
    std::shared_ptr<VulkanContext> context_;
    std::filesystem::path path_;
    VkPipelineCache cache_ = VK_NULL_HANDLE;
    bool loaded_ = false;
};

} // namespace bitlens

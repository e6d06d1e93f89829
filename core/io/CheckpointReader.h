// SPDX-License-Identifier: MIT
#pragma once

#include "core/io/Checkpoint.h"

#include <cstddef>
#include <filesystem>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

namespace bitlens {

// One checkpoint format. A reader tells "not my format" (recognizes() is false) from "my format,
// but broken" (open() throws FileError naming the file and the problem).
class CheckpointReader {
public:
    virtual ~CheckpointReader() = default;
    virtual std::string_view formatName() const = 0;
    // `head` holds the first bytes of a file (up to 4096; empty for a folder). Never throws.
    virtual bool recognizes(const std::filesystem::path& path,
                            std::span<const std::byte> head) const = 0;
    virtual std::unique_ptr<Checkpoint> open(const std::filesystem::path& path) const = 0;
};

// Every reader BitLens has, in the order they are asked.
const std::vector<std::unique_ptr<CheckpointReader>>& checkpointReaders();

// Opens a file or model folder, choosing the reader by content, never by extension.
// Throws FileError for unreadable, unrecognized or broken input.
std::unique_ptr<Checkpoint> openCheckpoint(const std::filesystem::path& path);

} // namespace bitlens

// SPDX-License-Identifier: MIT
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>

namespace bitlens {

// Any failure BitLens reports to the user. what() is a complete one-line message.
class Error : public std::runtime_error {
public:
    explicit Error(const std::string& message) : std::runtime_error(message) {}
};

// A problem with one input or output file. what() reads "<path>: <problem>".
class FileError : public Error {
public:
    FileError(const std::filesystem::path& path, const std::string& problem)
        : Error(path.string() + ": " + problem), path_(path), problem_(problem) {}
    const std::filesystem::path& path() const { return path_; }
    const std::string& problem() const { return problem_; }

private:
    std::filesystem::path path_;
    std::string problem_;
};

// Thrown by long operations when their progress callback asked to stop.
class Cancelled : public Error {
public:
    Cancelled() : Error("cancelled") {}
};

} // namespace bitlens

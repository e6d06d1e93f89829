// SPDX-License-Identifier: MIT
#pragma once

#include "core/io/Hdf5Handle.h"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace bitlens {

// An HDF5 file opened read-only, with the few typed look-ups the checkpoint readers need. Every
// failing HDF5 call becomes a FileError "<path>: <what was being read>: <HDF5's reason>".
// HDF5's own error printing is switched off for the calling thread.
class Hdf5File {
public:
    // Throws FileError when HDF5 cannot open the file (truncated, not HDF5, unreadable).
    explicit Hdf5File(std::filesystem::path path);

    const std::filesystem::path& path() const { return path_; }
    hid_t root() const { return file_.get(); }

    // Throws FileError naming the file, `what` and the innermost message on HDF5's error stack.
    // Call it right after the failing HDF5 call, before any other.
    [[noreturn]] void fail(const std::string& what) const;

    // `name` is a path relative to `location` ("model_weights/dense").
    Hdf5Handle openGroup(hid_t location, const std::string& name) const;
    Hdf5Handle openDataset(hid_t location, const std::string& name) const;
    // The type of the object `name` (one link, no '/') links to, nullopt when there is no such
    // link.
    std::optional<H5O_type_t> childType(hid_t group, const std::string& name) const;
    // Names of the links in `group`, in name order.
    std::vector<std::string> childNames(hid_t group, const std::string& groupPath) const;
    // Paths from the root of every dataset in the file, in name order, depth first.
    std::vector<std::string> datasetPaths() const;

    bool hasAttribute(hid_t object, const std::string& name) const;
    // A string attribute, scalar or 1-D, fixed or variable length; an empty non-string attribute
    // (Keras writes an empty float array for "no weights") reads as no strings.
    std::vector<std::string> readStrings(hid_t object, const std::string& objectPath,
                                         const std::string& name) const;
    std::string readString(hid_t object, const std::string& objectPath,
                           const std::string& name) const;

private:
    std::filesystem::path path_;
    Hdf5Handle file_;
};

} // namespace bitlens

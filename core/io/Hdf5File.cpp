// SPDX-License-Identifier: MIT
#include "core/io/Hdf5File.h"

#include "core/io/Checkpoint.h"
#include "core/util/Error.h"

#include <algorithm>

namespace bitlens {

namespace {

// Hard cap on the bytes of one fixed-length string attribute (Keras keeps them under 64 KiB).
constexpr uint64_t kMaxStringAttributeBytes = uint64_t(64) << 20;

herr_t keepInnermostMessage(unsigned depth, const H5E_error2_t* error, void* data) {
    auto* message = static_cast<std::string*>(data);
    if (depth != 0)
        return 0;
    if (error->desc && *error->desc) {
        *message = error->desc;
        return 0;
    }
    char minor[256] = {};
    if (H5Eget_msg(error->min_num, nullptr, minor, sizeof minor) > 0)
        *message = minor;
    return 0;
}

// Frees the strings HDF5 allocated for a variable-length read, however the copy ends.
class VariableStrings {
public:
    VariableStrings(hid_t type, hid_t space, size_t count)
        : type_(type), space_(space), pointers_(count, nullptr) {}
    ~VariableStrings() { H5Dvlen_reclaim(type_, space_, H5P_DEFAULT, pointers_.data()); }
    VariableStrings(const VariableStrings&) = delete;
    VariableStrings& operator=(const VariableStrings&) = delete;
    char** data() { return pointers_.data(); }
    const std::vector<char*>& pointers() const { return pointers_; }

private:
    hid_t type_;
    hid_t space_;
    std::vector<char*> pointers_;
};

} // namespace

Hdf5File::Hdf5File(std::filesystem::path path) : path_(std::move(path)) {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    Hdf5Handle access(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
    // Take HDF5's shared lock against a concurrent writer where the file system has locks, and
    // read anyway where it has none (read-only mounts, some network file systems).
    if (!access.valid() || H5Pset_file_locking(access.get(), true, true) < 0)
        fail("cannot prepare to open as HDF5");
    file_ = Hdf5Handle(H5Fopen(path_.c_str(), H5F_ACC_RDONLY, access.get()), H5Fclose);
    if (!file_.valid())
        fail("cannot open as HDF5");
}

void Hdf5File::fail(const std::string& what) const {
    std::string detail;
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, keepInnermostMessage, &detail);
    H5Eclear2(H5E_DEFAULT);
    throw FileError(path_, detail.empty() ? what : what + ": " + detail);
}

Hdf5Handle Hdf5File::openGroup(hid_t location, const std::string& name) const {
    Hdf5Handle group(H5Gopen2(location, name.c_str(), H5P_DEFAULT), H5Gclose);
    if (!group.valid())
        fail("cannot open group '" + name + "'");
    return group;
}

Hdf5Handle Hdf5File::openDataset(hid_t location, const std::string& name) const {
    Hdf5Handle dataset(H5Dopen2(location, name.c_str(), H5P_DEFAULT), H5Dclose);
    if (!dataset.valid())
        fail("cannot open dataset '" + name + "'");
    return dataset;
}

std::optional<H5O_type_t> Hdf5File::childType(hid_t group, const std::string& name) const {
    const htri_t exists = H5Lexists(group, name.c_str(), H5P_DEFAULT);
    if (exists < 0)
        fail("cannot look up '" + name + "'");
    if (exists == 0)
        return std::nullopt;
    H5O_info_t info{};
    if (H5Oget_info_by_name2(group, name.c_str(), &info, H5O_INFO_BASIC, H5P_DEFAULT) < 0)
        fail("cannot read the object '" + name + "' links to");
    return info.type;
}

std::vector<std::string> Hdf5File::childNames(hid_t group, const std::string& groupPath) const {
    struct Listing {
        std::vector<std::string> names;
        bool tooMany = false;
    } listing;
    auto collect = [](hid_t, const char* name, const H5L_info_t*, void* data) -> herr_t {
        auto* out = static_cast<Listing*>(data);
        if (out->names.size() >= kMaxTensorCount) {
            out->tooMany = true;
            return 1; // stop
        }
        out->names.emplace_back(name);
        return 0;
    };
    if (H5Literate(group, H5_INDEX_NAME, H5_ITER_INC, nullptr, collect, &listing) < 0)
        fail("cannot list group '" + groupPath + "'");
    if (listing.tooMany)
        throw FileError(path_, "group '" + groupPath + "' has more than " +
                                   std::to_string(kMaxTensorCount) + " members");
    return listing.names;
}

std::vector<std::string> Hdf5File::datasetPaths() const {
    struct Listing {
        std::vector<std::string> paths;
        bool tooMany = false;
    } listing;
    auto collect = [](hid_t, const char* name, const H5O_info_t* info, void* data) -> herr_t {
        auto* out = static_cast<Listing*>(data);
        if (info->type != H5O_TYPE_DATASET)
            return 0;
        if (out->paths.size() >= kMaxTensorCount) {
            out->tooMany = true;
            return 1;
        }
        out->paths.emplace_back(name);
        return 0;
    };
    if (H5Ovisit2(root(), H5_INDEX_NAME, H5_ITER_INC, collect, &listing, H5O_INFO_BASIC) < 0)
        fail("cannot walk the file's groups");
    if (listing.tooMany)
        throw FileError(path_, "more than " + std::to_string(kMaxTensorCount) + " datasets");
    return listing.paths;
}

bool Hdf5File::hasAttribute(hid_t object, const std::string& name) const {
    const htri_t exists = H5Aexists(object, name.c_str());
    if (exists < 0)
        fail("cannot look up attribute '" + name + "'");
    return exists > 0;
}

std::vector<std::string> Hdf5File::readStrings(hid_t object, const std::string& objectPath,
                                               const std::string& name) const {
    const std::string what = "attribute '" + name + "' of '" + objectPath + "'";
    Hdf5Handle attribute(H5Aopen(object, name.c_str(), H5P_DEFAULT), H5Aclose);
    if (!attribute.valid())
        fail("cannot open " + what);
    Hdf5Handle type(H5Aget_type(attribute.get()), H5Tclose);
    Hdf5Handle space(H5Aget_space(attribute.get()), H5Sclose);
    if (!type.valid() || !space.valid())
        fail("cannot read the type of " + what);
    const int rank = H5Sget_simple_extent_ndims(space.get());
    const hssize_t points = H5Sget_simple_extent_npoints(space.get());
    if (rank < 0 || points < 0)
        fail("cannot read the shape of " + what);
    if (rank > 1)
        throw FileError(path_, what + " has " + std::to_string(rank) +
                                   " dimensions (expected a string or a list of strings)");
    const uint64_t count = uint64_t(points);
    if (H5Tget_class(type.get()) != H5T_STRING) {
        if (count == 0)
            return {};
        throw FileError(path_, what + " is not a string");
    }
    if (count > kMaxTensorCount)
        throw FileError(path_, what + " holds " + std::to_string(count) + " strings (at most " +
                                   std::to_string(kMaxTensorCount) + ")");
    std::vector<std::string> strings;
    strings.reserve(count);
    const htri_t variable = H5Tis_variable_str(type.get());
    if (variable < 0)
        fail("cannot read the string type of " + what);
    if (variable > 0) {
        Hdf5Handle memoryType(H5Tcopy(H5T_C_S1), H5Tclose);
        if (!memoryType.valid() || H5Tset_size(memoryType.get(), H5T_VARIABLE) < 0 ||
            H5Tset_cset(memoryType.get(), H5Tget_cset(type.get())) < 0)
            fail("cannot prepare to read " + what);
        VariableStrings buffer(memoryType.get(), space.get(), count);
        if (H5Aread(attribute.get(), memoryType.get(), buffer.data()) < 0)
            fail("cannot read " + what);
        for (const char* text : buffer.pointers())
            strings.emplace_back(text ? text : "");
        return strings;
    }
    const size_t width = H5Tget_size(type.get());
    if (width == 0 || count * width > kMaxStringAttributeBytes)
        throw FileError(path_, what + " has an invalid size (" + std::to_string(count) + " x " +
                                   std::to_string(width) + " bytes)");
    std::vector<char> raw(count * width);
    if (H5Aread(attribute.get(), type.get(), raw.data()) < 0)
        fail("cannot read " + what);
    const bool spacePadded = H5Tget_strpad(type.get()) == H5T_STR_SPACEPAD;
    for (uint64_t i = 0; i < count; ++i) {
        std::string text(raw.data() + i * width, width);
        text.resize(std::min(text.size(), text.find('\0')));
        if (spacePadded)
            text.erase(text.find_last_not_of(' ') + 1);
        strings.push_back(std::move(text));
    }
    return strings;
}

std::string Hdf5File::readString(hid_t object, const std::string& objectPath,
                                 const std::string& name) const {
    std::vector<std::string> strings = readStrings(object, objectPath, name);
    if (strings.size() != 1)
        throw FileError(path_, "attribute '" + name + "' of '" + objectPath + "' holds " +
                                   std::to_string(strings.size()) + " strings (expected one)");
    return std::move(strings.front());
}

} // namespace bitlens

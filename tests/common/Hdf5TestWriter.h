// SPDX-License-Identifier: MIT
#pragma once

// Writes small HDF5 files for reader tests through the HDF5 C API (header-only: only tests that
// include it need HDF5). Every call that fails throws std::runtime_error naming the object.

#include "core/io/Hdf5Handle.h"

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace bitlens::test {

class Hdf5TestWriter {
public:
    // Creates (truncates) `path`; `userBlock` bytes (0 or a power of two >= 512) precede HDF5.
    explicit Hdf5TestWriter(const std::string& path, hsize_t userBlock = 0) {
        H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
        Hdf5Handle creation(H5Pcreate(H5P_FILE_CREATE), H5Pclose);
        if (userBlock)
            check(H5Pset_userblock(creation.get(), userBlock), "user block");
        file_ = Hdf5Handle(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, creation.get(), H5P_DEFAULT),
                           H5Fclose);
        check(file_.get(), path);
    }

    hid_t root() const { return file_.get(); }

    // Creates the group and any missing parents ("layers/dense/vars").
    void group(const std::string& path) {
        Hdf5Handle links(H5Pcreate(H5P_LINK_CREATE), H5Pclose);
        check(H5Pset_create_intermediate_group(links.get(), 1), path);
        Hdf5Handle created(H5Gcreate2(root(), path.c_str(), links.get(), H5P_DEFAULT, H5P_DEFAULT),
                           H5Gclose);
        check(created.get(), path);
    }

    // Writes `values` of HDF5 type `type` (e.g. H5T_IEEE_F32LE, H5T_STD_I32BE) as a dataset;
    // chunkRows > 0 stores it chunked by that many outer rows, with deflate when asked.
    template <typename T>
    void dataset(const std::string& path, hid_t type, const std::vector<hsize_t>& dims,
                 const std::vector<T>& values, hid_t memoryType, hsize_t chunkRows = 0,
                 bool deflate = false) {
        Hdf5Handle space(H5Screate_simple(int(dims.size()), dims.data(), nullptr), H5Sclose);
        check(space.get(), path);
        Hdf5Handle creation(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
        if (chunkRows) {
            std::vector<hsize_t> chunk = dims;
            chunk[0] = chunkRows;
            check(H5Pset_chunk(creation.get(), int(chunk.size()), chunk.data()), path);
            if (deflate)
                check(H5Pset_deflate(creation.get(), 6), path);
        }
        Hdf5Handle links(H5Pcreate(H5P_LINK_CREATE), H5Pclose);
        check(H5Pset_create_intermediate_group(links.get(), 1), path);
        Hdf5Handle created(H5Dcreate2(root(), path.c_str(), type, space.get(), links.get(),
                                      creation.get(), H5P_DEFAULT),
                           H5Dclose);
        check(created.get(), path);
        check(H5Dwrite(created.get(), memoryType, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()),
              path);
    }

    // A chunked float dataset that is created but never written (no storage allocated).
    void unwritten(const std::string& path, const std::vector<hsize_t>& dims) {
        Hdf5Handle space(H5Screate_simple(int(dims.size()), dims.data(), nullptr), H5Sclose);
        check(space.get(), path);
        Hdf5Handle creation(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
        const std::vector<hsize_t> chunk(dims.size(), 1);
        check(H5Pset_chunk(creation.get(), int(chunk.size()), chunk.data()), path);
        Hdf5Handle created(H5Dcreate2(root(), path.c_str(), H5T_IEEE_F32LE, space.get(),
                                      H5P_DEFAULT, creation.get(), H5P_DEFAULT),
                           H5Dclose);
        check(created.get(), path);
    }

    void floats(const std::string& path, const std::vector<hsize_t>& dims,
                const std::vector<float>& values) {
        dataset(path, H5T_IEEE_F32LE, dims, values, H5T_NATIVE_FLOAT);
    }

    // A dataset of a two-float compound type (a type no reader maps to a tensor).
    void compound(const std::string& path, hsize_t count) {
        Hdf5Handle type(H5Tcreate(H5T_COMPOUND, 8), H5Tclose);
        check(H5Tinsert(type.get(), "re", 0, H5T_NATIVE_FLOAT), path);
        check(H5Tinsert(type.get(), "im", 4, H5T_NATIVE_FLOAT), path);
        dataset(path, type.get(), {count}, std::vector<float>(count * 2, 1.0f), type.get());
    }

    // A variable-length string dataset with one string.
    void text(const std::string& path, const std::string& value) {
        Hdf5Handle type = stringType(0);
        Hdf5Handle space(H5Screate(H5S_SCALAR), H5Sclose);
        Hdf5Handle created(H5Dcreate2(root(), path.c_str(), type.get(), space.get(), H5P_DEFAULT,
                                      H5P_DEFAULT, H5P_DEFAULT),
                           H5Dclose);
        check(created.get(), path);
        const char* pointer = value.c_str();
        check(H5Dwrite(created.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, &pointer), path);
    }

    // A 1-D string-list attribute on the object at `objectPath`, fixed length (as numpy bytes
    // arrays are written) or variable length (as h5py writes lists of str).
    void stringList(const std::string& objectPath, const std::string& name,
                    const std::vector<std::string>& values, bool fixedLength) {
        size_t width = 1;
        for (const std::string& value : values)
            width = std::max(width, value.size());
        Hdf5Handle type = stringType(fixedLength ? width : 0);
        const hsize_t count = values.size();
        Hdf5Handle space(H5Screate_simple(1, &count, nullptr), H5Sclose);
        Hdf5Handle attribute = createAttribute(objectPath, name, type.get(), space.get());
        if (fixedLength) {
            std::vector<char> raw(width * values.size(), '\0');
            for (size_t i = 0; i < values.size(); ++i)
                std::copy(values[i].begin(), values[i].end(), raw.begin() + i * width);
            check(H5Awrite(attribute.get(), type.get(), raw.data()), name);
        } else {
            std::vector<const char*> pointers;
            for (const std::string& value : values)
                pointers.push_back(value.c_str());
            check(H5Awrite(attribute.get(), type.get(), pointers.data()), name);
        }
    }

    // An empty float array attribute: what Keras writes for an empty list of names.
    void emptyList(const std::string& objectPath, const std::string& name) {
        const hsize_t count = 0;
        Hdf5Handle space(H5Screate_simple(1, &count, nullptr), H5Sclose);
        createAttribute(objectPath, name, H5T_IEEE_F64LE, space.get());
    }

    // A scalar variable-length string attribute (as Keras writes model_config).
    void stringAttribute(const std::string& objectPath, const std::string& name,
                         const std::string& value) {
        Hdf5Handle type = stringType(0);
        Hdf5Handle space(H5Screate(H5S_SCALAR), H5Sclose);
        Hdf5Handle attribute = createAttribute(objectPath, name, type.get(), space.get());
        const char* pointer = value.c_str();
        check(H5Awrite(attribute.get(), type.get(), &pointer), name);
    }

private:
    static void check(int64_t status, const std::string& what) {
        if (status < 0)
            throw std::runtime_error("HDF5 test writer failed at " + what);
    }

    static Hdf5Handle stringType(size_t fixedWidth) {
        Hdf5Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
        check(H5Tset_size(type.get(), fixedWidth ? fixedWidth : H5T_VARIABLE), "string type");
        check(H5Tset_strpad(type.get(), H5T_STR_NULLPAD), "string type");
        check(H5Tset_cset(type.get(), H5T_CSET_UTF8), "string type");
        return type;
    }

    Hdf5Handle createAttribute(const std::string& objectPath, const std::string& name, hid_t type,
                               hid_t space) {
        Hdf5Handle object(H5Oopen(root(), objectPath.c_str(), H5P_DEFAULT), H5Oclose);
        check(object.get(), objectPath);
        Hdf5Handle attribute(
            H5Acreate2(object.get(), name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT),
            H5Aclose);
        check(attribute.get(), name);
        return attribute;
    }

    Hdf5Handle file_;
};

} // namespace bitlens::test

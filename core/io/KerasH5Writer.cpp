// SPDX-License-Identifier: MIT
#include "core/io/KerasH5Writer.h"

#include "core/io/AtomicFile.h"
#include "core/io/Hdf5Handle.h"
#include "core/util/Error.h"

#include <hdf5.h>
#include <utility>

namespace bitlens {
namespace {

// Turns HDF5's error printing off for the writer's lifetime and restores it afterwards.
class QuietHdf5 {
public:
    QuietHdf5() {
        H5Eget_auto2(H5E_DEFAULT, &function_, &data_);
        H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    }
    ~QuietHdf5() { H5Eset_auto2(H5E_DEFAULT, function_, data_); }
    QuietHdf5(const QuietHdf5&) = delete;
    QuietHdf5& operator=(const QuietHdf5&) = delete;

private:
    H5E_auto2_t function_ = nullptr;
    void* data_ = nullptr;
};

class Writer {
public:
    explicit Writer(std::filesystem::path path) : path_(std::move(path)) {}

    hid_t check(hid_t id, const std::string& what) const {
        if (id < 0)
            throw FileError(path_, "cannot write " + what);
        return id;
    }
    void check(herr_t status, const std::string& what) const {
        if (status < 0)
            throw FileError(path_, "cannot write " + what);
    }

    // Variable-length UTF-8 strings, as h5py writes them: a scalar for one, a list otherwise.
    void stringAttribute(hid_t object, const char* name, const std::vector<std::string>& values,
                         bool scalar) const {
        const Hdf5Handle type(check(H5Tcopy(H5T_C_S1), name), H5Tclose);
        check(H5Tset_size(type.get(), H5T_VARIABLE), name);
        check(H5Tset_cset(type.get(), H5T_CSET_UTF8), name);
        const hsize_t count = values.size();
        const Hdf5Handle space(
            check(scalar ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &count, nullptr), name),
            H5Sclose);
        const Hdf5Handle attribute(
            check(H5Acreate2(object, name, type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
                  name),
            H5Aclose);
        std::vector<const char*> pointers;
        for (const std::string& value : values)
            pointers.push_back(value.c_str());
        check(H5Awrite(attribute.get(), type.get(), pointers.data()), name);
    }

    // Keras writes an empty float array as the weight_names of a layer without weights.
    void emptyAttribute(hid_t object, const char* name) const {
        const hsize_t zero = 0;
        const Hdf5Handle space(check(H5Screate_simple(1, &zero, nullptr), name), H5Sclose);
        const Hdf5Handle attribute(
            check(H5Acreate2(object, name, H5T_IEEE_F32LE, space.get(), H5P_DEFAULT, H5P_DEFAULT),
                  name),
            H5Aclose);
    }

    void dataset(hid_t group, const KerasWeightData& weight, const std::string& what) const {
        uint64_t elements = 1;
        std::vector<hsize_t> dims;
        for (uint64_t dim : weight.shape) {
            dims.push_back(dim);
            elements *= dim;
        }
        if (elements != weight.values.size())
            throw Error("internal: weight " + what + " has " +
                        std::to_string(weight.values.size()) + " values for its shape");
        const Hdf5Handle space(check(dims.empty()
                                         ? H5Screate(H5S_SCALAR)
                                         : H5Screate_simple(int(dims.size()), dims.data(), nullptr),
                                     what),
                               H5Sclose);
        const Hdf5Handle data(check(H5Dcreate2(group, weight.name.c_str(), H5T_IEEE_F32LE,
                                               space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                                    what),
                              H5Dclose);
        check(H5Dwrite(data.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                       weight.values.data()),
              what);
    }

    // Builds the whole file in memory (HDF5's core driver, no backing store) and returns its
    // bytes.
    std::vector<std::byte> build(const nlohmann::json& modelConfig,
                                 const std::vector<KerasLayerData>& layers) const {
        const Hdf5Handle access(check(H5Pcreate(H5P_FILE_ACCESS), "the file"), H5Pclose);
        check(H5Pset_fapl_core(access.get(), 1 << 20, false), "the file");
        const Hdf5Handle file(
            check(H5Fcreate(path_.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, access.get()), "the file"),
            H5Fclose);
        stringAttribute(file.get(), "backend", {"tensorflow"}, true);
        stringAttribute(file.get(), "keras_version", {"2.12.0"}, true);
        stringAttribute(file.get(), "model_config", {modelConfig.dump()}, true);
        const Hdf5Handle weights(
            check(H5Gcreate2(file.get(), "model_weights", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                  "model_weights"),
            H5Gclose);
        stringAttribute(weights.get(), "backend", {"tensorflow"}, true);
        stringAttribute(weights.get(), "keras_version", {"2.12.0"}, true);
        std::vector<std::string> layerNames;
        for (const KerasLayerData& layer : layers)
            layerNames.push_back(layer.name);
        stringAttribute(weights.get(), "layer_names", layerNames, false);
        for (const KerasLayerData& layer : layers) {
            const Hdf5Handle group(check(H5Gcreate2(weights.get(), layer.name.c_str(), H5P_DEFAULT,
                                                    H5P_DEFAULT, H5P_DEFAULT),
                                         "layer " + layer.name),
                                   H5Gclose);
            if (layer.weights.empty()) {
                emptyAttribute(group.get(), "weight_names");
                continue;
            }
            std::vector<std::string> weightNames;
            for (const KerasWeightData& weight : layer.weights)
                weightNames.push_back(layer.name + "/" + weight.name);
            stringAttribute(group.get(), "weight_names", weightNames, false);
            const Hdf5Handle inner(check(H5Gcreate2(group.get(), layer.name.c_str(), H5P_DEFAULT,
                                                    H5P_DEFAULT, H5P_DEFAULT),
                                         "layer " + layer.name),
                                   H5Gclose);
            for (const KerasWeightData& weight : layer.weights)
                dataset(inner.get(), weight, layer.name + "/" + weight.name);
        }
        check(H5Fflush(file.get(), H5F_SCOPE_GLOBAL), "the file");
        const ssize_t size = H5Fget_file_image(file.get(), nullptr, 0);
        check(hid_t(size), "the file image");
        std::vector<std::byte> image(static_cast<size_t>(size));
        check(hid_t(H5Fget_file_image(file.get(), image.data(), image.size())), "the file image");
        return image;
    }

private:
    std::filesystem::path path_;
};

} // namespace

void writeKerasH5(const std::filesystem::path& path, const nlohmann::json& modelConfig,
                  const std::vector<KerasLayerData>& layers) {
    std::vector<std::byte> image;
    {
        const QuietHdf5 quiet;
        image = Writer(path).build(modelConfig, layers);
    }
    AtomicFile file(path);
    file.write(image);
    file.commit();
}

} // namespace bitlens

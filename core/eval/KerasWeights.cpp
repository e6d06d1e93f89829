// SPDX-License-Identifier: MIT
#include "core/eval/KerasWeights.h"

#include "core/util/Error.h"

namespace bitlens {
namespace {

std::string shapeText(const std::vector<uint64_t>& shape) {
    std::string text = "[";
    for (size_t i = 0; i < shape.size(); ++i)
        text += (i ? ", " : "") + std::to_string(shape[i]);
    return text + "]";
}

} // namespace

KerasWeightName parseKerasWeightName(const std::string& tensorName) {
    std::string_view path = tensorName;
    constexpr std::string_view kRoot = "model_weights/";
    if (path.substr(0, kRoot.size()) == kRoot)
        path.remove_prefix(kRoot.size());
    const size_t firstSlash = path.find('/');
    const size_t lastSlash = path.rfind('/');
    if (firstSlash == std::string_view::npos)
        return {};
    std::string_view role = path.substr(lastSlash + 1);
    if (const size_t colon = role.rfind(':'); colon != std::string_view::npos)
        role = role.substr(0, colon);
    return {std::string(path.substr(0, firstSlash)), std::string(role)};
}

std::vector<size_t> findLayerWeights(const Checkpoint& checkpoint, const KerasLayer& layer) {
    const std::vector<WeightSpec> specs = expectedWeights(layer);
    std::vector<size_t> indices;
    for (const WeightSpec& spec : specs) {
        long found = -1;
        for (size_t i = 0; i < checkpoint.tensors().size(); ++i) {
            const KerasWeightName location = parseKerasWeightName(checkpoint.tensors()[i].name);
            if (location.layer != layer.name || location.role != spec.role)
                continue;
            if (found >= 0)
                throw Error("layer " + layer.name + ": two tensors hold its " + spec.role + " ('" +
                            checkpoint.tensors()[size_t(found)].name + "' and '" +
                            checkpoint.tensors()[i].name + "')");
            found = long(i);
        }
        if (found < 0)
            throw Error("layer " + layer.name + ": the checkpoint has no " + spec.role +
                        " weight for it");
        const TensorInfo& tensor = checkpoint.tensors()[size_t(found)];
        if (tensor.shape != spec.shape)
            throw Error("layer " + layer.name + ": " + tensor.name + " has shape " +
                        shapeText(tensor.shape) + ", the layer needs " + shapeText(spec.shape));
        if (!dtypeConvertibleToFloat(tensor.dtype))
            throw Error("layer " + layer.name + ": " + tensor.name + " is stored as " +
                        std::string(dtypeName(tensor.dtype)) + ", not a float type");
        indices.push_back(size_t(found));
    }
    return indices;
}

} // namespace bitlens

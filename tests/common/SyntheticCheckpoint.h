// SPDX-License-Identifier: MIT
#pragma once

#include "core/io/Checkpoint.h"

#include <QFile>
#include <QString>
#include <cstring>
#include <memory>
#include <vector>

namespace bitlens::test {

// A float32 tensor for makeCheckpoint: `values` in memory order (empty: shape-many zeros).
struct SyntheticTensor {
    std::string name;
    std::vector<uint64_t> shape;
    std::vector<float> values;
    ChannelAxis channelAxis = ChannelAxis::First;
};

// Writes the tensors one after another into `path` and opens them as a checkpoint, the way a
// reader would. Header-only: core tests include it, the test-support library does not link core.
inline std::unique_ptr<Checkpoint> makeCheckpoint(const QString& path,
                                                  std::vector<SyntheticTensor> tensors) {
    std::vector<TensorInfo> infos;
    QByteArray bytes;
    for (SyntheticTensor& tensor : tensors) {
        TensorInfo info;
        info.name = tensor.name;
        info.shape = tensor.shape;
        info.channelAxis = tensor.channelAxis;
        if (tensor.values.empty())
            tensor.values.resize(info.elementCount());
        info.offset = uint64_t(bytes.size());
        info.byteSize = tensor.values.size() * sizeof(float);
        bytes.append(reinterpret_cast<const char*>(tensor.values.data()), qsizetype(info.byteSize));
        infos.push_back(std::move(info));
    }
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size())
        return nullptr;
    file.close();
    auto checkpoint = std::make_unique<Checkpoint>(path.toStdString(), "synthetic");
    checkpoint->addFile(MappedFile(path.toStdString()));
    for (TensorInfo& info : infos)
        checkpoint->addTensor(std::move(info));
    checkpoint->finish();
    return checkpoint;
}

} // namespace bitlens::test

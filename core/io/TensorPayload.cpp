// SPDX-License-Identifier: MIT
#include "core/io/TensorPayload.h"

#include "core/io/Checkpoint.h"
#include "core/util/Error.h"
#include "core/util/Utf8.h"

#include <algorithm>

namespace bitlens {

void validatePayload(const TensorPayload& payload, const std::vector<TensorPayload>& taken) {
    if (payload.name.empty() || payload.name.size() > kMaxNameLength || !isValidUtf8(payload.name))
        throw Error("tensor name '" + payload.name + "' is empty, too long or not valid UTF-8");
    if (std::any_of(taken.begin(), taken.end(),
                    [&](const TensorPayload& other) { return other.name == payload.name; }))
        throw Error("tensor '" + payload.name + "' is added twice");
    if (payload.shape.size() > kMaxDims)
        throw Error("tensor '" + payload.name + "' has more than " + std::to_string(kMaxDims) +
                    " dimensions");
    uint64_t expected = 0;
    try {
        expected = checkedByteSize(payload.shape, payload.dtype, "tensor data", payload.name);
    } catch (const FileError& error) {
        throw Error(error.problem());
    }
    if (payload.bytes.size() != expected)
        throw Error("tensor '" + payload.name + "' has " + std::to_string(payload.bytes.size()) +
                    " bytes but its shape and dtype need " + std::to_string(expected));
}

} // namespace bitlens

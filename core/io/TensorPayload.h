// SPDX-License-Identifier: MIT
#pragma once

#include "core/tensor/DType.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace bitlens {

// A tensor a writer is about to store: its stored bytes in memory, shape outermost-first.
struct TensorPayload {
    std::string name;
    std::vector<uint64_t> shape;
    DType dtype = DType::F32;
    std::vector<std::byte> bytes;
};

// Checks a payload before a writer accepts it: non-empty valid UTF-8 name not already in `taken`,
// at most kMaxDims dimensions, and exactly the bytes shape and dtype imply. Throws Error.
void validatePayload(const TensorPayload& payload, const std::vector<TensorPayload>& taken);

} // namespace bitlens

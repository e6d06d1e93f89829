// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>

namespace bitlens {

// The matrix a quantizer sees: `rows` output channels of `rowLength` values along the reduction
// dimension. A 1-D tensor is one row. It lives here, below core/io and core/quant, so that formats
// need no checkpoint and Checkpoint can decode stored block formats with core/quant's codecs.
struct MatrixShape {
    uint64_t rows = 0;
    uint64_t rowLength = 0;
    uint64_t elements() const { return rows * rowLength; }
};

} // namespace bitlens

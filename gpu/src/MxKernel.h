// SPDX-License-Identifier: MIT
#pragma once

#include "FormatKernel.h"

namespace bitlens {

// The kernels of the OCP MX formats (mxfp8-e4m3, mxfp8-e5m2, mxfp6-e2m3, mxfp6-e3m2, mxfp4,
// mxint8) on shaders/mx.comp: one invocation per 32-value block; on shaders/mx_lanes.comp eight.
struct MxKernel {
    // nullptr for formats other than the six MX formats above.
    static std::unique_ptr<FormatKernel> create(const Format& format);
};

} // namespace bitlens

// SPDX-License-Identifier: MIT
#pragma once

#include "FormatKernel.h"

namespace bitlens {

// The kernels of ggml's block types, with bytes laid out exactly as llama.cpp's block structs:
// Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, IQ4_NL and ggml-mxfp4 on shaders/ggml_small.comp (one invocation
// per 32-value block; all but IQ4_NL also on ggml_small_lanes.comp, eight per block), Q2_K ... Q6_K
// on shaders/ggml_k.comp (one invocation per sub-block of a 256-value super-block).
struct GgmlKernel {
    // nullptr when the format is not one of the ggml types above.
    static std::unique_ptr<FormatKernel> create(const Format& format);
};

} // namespace bitlens

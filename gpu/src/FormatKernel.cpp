// SPDX-License-Identifier: MIT
#include "FormatKernel.h"

namespace bitlens {

std::unique_ptr<FormatKernel> findFormatKernel(const Format&) {
    return nullptr;
}

} // namespace bitlens

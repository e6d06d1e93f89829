// SPDX-License-Identifier: MIT
#include "FormatKernel.h"

#include "Float8Kernel.h"
#include "GgmlKernel.h"
#include "IntegerKernel.h"
#include "MxKernel.h"
#include "NormalFloatKernel.h"
#include "Nvfp4Kernel.h"

namespace bitlens {

std::unique_ptr<FormatKernel> findFormatKernel(const Format& format) {
    using Factory = std::unique_ptr<FormatKernel> (*)(const Format&);
    for (Factory create : {&IntegerKernel::create, &GgmlKernel::create, &MxKernel::create,
                           &Float8Kernel::create, &Nvfp4Kernel::create, &NormalFloatKernel::create})
        if (auto kernel = create(format))
            return kernel;
    return nullptr;
}

} // namespace bitlens

// SPDX-License-Identifier: MIT
#pragma once

#include "core/quant/Format.h"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace bitlens {

// Makes formats of one family from their ids; returns nullptr for ids of other families and
// throws Error for an id of its family with bad parameters ("int9-g128-sym": bits 2..8).
using FormatFactory = std::shared_ptr<const Format> (*)(std::string_view id);

// The format with this id (parametric ids such as "int3-g96-asym" included); formats are
// immutable and shared. Throws Error naming the id when no family knows it.
std::shared_ptr<const Format> makeFormat(std::string_view id);

// The ids `bitlens-cli formats` and the GUI list, in display order.
std::vector<std::string> listedFormatIds();

} // namespace bitlens

// SPDX-License-Identifier: MIT
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace bitlens::cli {

// `bench eval MODEL --dataset IMAGES LABELS [--input-scale S] [--repeats N]`: forward-pass
// throughput of a classifier on every engine (the CPU reference, and Vulkan when a device
// exists) over the data set, as a table with the ratio to the CPU. `bench eval MODEL --text FILE
// [--tokenizer F] [--ctx N] [--chunks N] [--repeats N]`: the same in tokens/s for a language
// model's perplexity run. `args` follow "eval". Returns the exit status (1 for a usage mistake).
int runEvalBench(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

} // namespace bitlens::cli

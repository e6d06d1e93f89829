// SPDX-License-Identifier: MIT
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace bitlens::cli {

// `eval MODEL (--dataset IMAGES LABELS | --text FILE) [--tokenizer FILE] [--format ID |
// --recipe R.json] [--input-scale S] [--ctx N] [--chunks N] [--json]`: with --dataset, top-1
// accuracy of a Keras classifier on an IDX data set; with --text, perplexity of a llama-family
// model by llama.cpp's protocol. With --format or --recipe, the quantized model against the
// original (agreement and KL divergence; for text also KL p99 and the same-top-token rate).
int runEvalCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

} // namespace bitlens::cli

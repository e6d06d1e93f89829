// SPDX-License-Identifier: MIT
#pragma once

#include "core/text/Tokenizer.h"

#include <filesystem>
#include <memory>

namespace bitlens {

class Checkpoint;

// The tokenizer of an opened language model. With an empty `tokenizerFile`, the one the model
// carries: a GGUF file's tokenizer.ggml.* metadata, a Hugging Face folder's tokenizer.json; a
// llama2.c checkpoint has none, which is an error naming the model. A given file is recognised by
// its content: GGUF (its tokenizer metadata), JSON (Hugging Face tokenizer.json), else llama2.c's
// tokenizer.bin with the model's vocab_size. Throws FileError naming the file at fault for a
// missing, malformed or unsupported tokenizer, and when the tokenizer's vocabulary size differs
// from the model's vocab_size.
std::unique_ptr<Tokenizer> loadTokenizer(const Checkpoint& model,
                                         const std::filesystem::path& tokenizerFile);

} // namespace bitlens

// SPDX-License-Identifier: MIT
#pragma once

#include "core/text/Vocabulary.h"

#include <filesystem>

namespace bitlens {

class Checkpoint;

// Reads llama2.c's tokenizer.bin: int32 max_token_length, then per token float32 score, int32
// length and that many bytes. The file does not store the token count: it is the model's
// vocab_size. Throws FileError for a length beyond max_token_length or the bytes left, a score
// that is not finite, or bytes left over after the last token.
Vocabulary readLlama2cTokenizer(const std::filesystem::path& path, uint64_t vocabSize);

// The tokenizer for an opened llama2.c (or other llama) checkpoint: vocabSize is its
// model()["vocab_size"]. Throws Error when the checkpoint does not say it.
Vocabulary readLlama2cTokenizer(const std::filesystem::path& path, const Checkpoint& model);

} // namespace bitlens

// SPDX-License-Identifier: MIT
#pragma once

#include "core/text/Tokenizer.h"

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>

namespace bitlens {

// The tokenizer stored in GGUF metadata (Checkpoint::metadata() of a GGUF file):
// tokenizer.ggml.model "llama" (SentencePiece: tokens, scores, token_type, add_space_prefix) or
// "gpt2" (byte-level BPE: tokens, merges, token_type, pre). Special ids from
// tokenizer.ggml.bos_token_id, eos_token_id and unknown_token_id. User-defined tokens are matched
// in input text before the model's algorithm, control tokens are not (llama.cpp without
// parse_special). Throws FileError naming `source` for a missing or malformed key, arrays of
// different lengths, or a tokenizer model or pre-tokenizer it does not support.
std::unique_ptr<Tokenizer> tokenizerFromGguf(const nlohmann::json& metadata,
                                             const std::filesystem::path& source);

} // namespace bitlens

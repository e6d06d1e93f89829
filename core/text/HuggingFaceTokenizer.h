// SPDX-License-Identifier: MIT
#pragma once

#include "core/text/Tokenizer.h"

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>

namespace bitlens {

// A Hugging Face tokenizer.json whose model is BPE: byte-level ones (a ByteLevel pre-tokenizer,
// with the GPT-2, Llama 3 or Qwen2 Split regex) and SentencePiece-style ones (Llama 2, Mistral:
// Metaspace pre-tokenizer or Prepend/Replace normalizers, byte_fallback). An NFC normalizer is
// applied. Every added token (special or not) is matched in input text by its exact content
// before BPE (lstrip, rstrip and single_word are not applied); special ones print as nothing.
// BOS/EOS come from `config` (config.json's bos_token_id and eos_token_id; null when there is
// none), else from tokenizer_config.json beside the file, else are -1. Throws FileError naming the
// file for malformed JSON, a missing or mistyped field, token ids that leave holes or disagree, and
// any model, normalizer or pre-tokenizer it does not support.
std::unique_ptr<Tokenizer> readHuggingFaceTokenizer(const std::filesystem::path& path,
                                                    const nlohmann::json* config);

} // namespace bitlens

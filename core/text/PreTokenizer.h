// SPDX-License-Identifier: MIT
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace bitlens {

// The word-splitting regexes of byte-level BPE tokenizers, implemented by hand (as llama.cpp
// does) rather than by a regex engine:
//   Gpt2:   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
//   Llama3: (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|
//           ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
//   Qwen2:  Llama3 with \p{N} (one digit per word) instead of \p{N}{1,3}
enum class PreTokenizer { Gpt2, Llama3, Qwen2 };

// GGUF tokenizer.ggml.pre names: "default" and "gpt-2" (Gpt2), "llama-bpe" (Llama3), "qwen2".
std::optional<PreTokenizer> preTokenizerFromGgufName(std::string_view name);
// A Hugging Face Split pre-tokenizer's regex, compared as text with the three patterns above.
std::optional<PreTokenizer> preTokenizerFromRegex(std::string_view regex);

// The words of `text`, in order; together they are exactly `text`. Invalid UTF-8 bytes are
// neither letters, numbers nor spaces.
std::vector<std::string_view> splitWords(std::string_view text, PreTokenizer pattern);

} // namespace bitlens

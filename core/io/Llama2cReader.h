// SPDX-License-Identifier: MIT
#pragma once

#include "core/io/CheckpointReader.h"

namespace bitlens {

// karpathy/llama2.c checkpoints (.bin): seven int32 (dim, hidden_dim, n_layers, n_heads,
// n_kv_heads, vocab_size, seq_len), then float32 weights in run.c's order; a negative vocab_size
// means the classifier follows the other weights instead of sharing the token embedding.
// The format has no magic: recognizes() accepts any header whose seven numbers are plausible, and
// open() then insists that the file size is exactly what the header implies, so a truncated file
// is reported as such. It must be asked after every reader that has a magic.
// Tensors take GGUF llama names (token_embd.weight, blk.N.attn_q.weight, ...), each layer's
// slice of run.c's stacked arrays its own tensor.
class Llama2cReader : public CheckpointReader {
public:
    std::string_view formatName() const override { return "llama2.c"; }
    bool recognizes(const std::filesystem::path& path,
                    std::span<const std::byte> head) const override;
    std::unique_ptr<Checkpoint> open(const std::filesystem::path& path) const override;
};

} // namespace bitlens

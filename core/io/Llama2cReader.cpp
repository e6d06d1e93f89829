// SPDX-License-Identifier: MIT
#include "core/io/Llama2cReader.h"

#include "core/io/ByteCursor.h"
#include "core/util/Error.h"

#include <cstring>
#include <utility>

namespace bitlens {

namespace {

constexpr uint64_t kHeaderBytes = 7 * sizeof(int32_t);
// Plausibility limits for the header numbers (far above any llama2.c export).
constexpr int64_t kMaxDim = 65536;
constexpr int64_t kMaxHiddenDim = int64_t(1) << 20;
constexpr int64_t kMaxLayers = 1024;
constexpr int64_t kMaxSeqLen = int64_t(1) << 20;
constexpr int64_t kMaxVocab = 10'000'000;

struct Llama2cHeader {
    int64_t dim = 0, hiddenDim = 0, layers = 0, heads = 0, kvHeads = 0, vocab = 0, seqLen = 0;
    bool sharedClassifier = true; // vocab_size was positive
    int32_t storedVocab = 0;      // as written, with its sign

    uint64_t headSize() const { return uint64_t(dim / heads); }
    uint64_t kvDim() const { return uint64_t(dim * kvHeads / heads); }
};

Llama2cHeader decodeHeader(std::span<const std::byte> bytes) {
    int32_t raw[7];
    std::memcpy(raw, bytes.data(), kHeaderBytes);
    Llama2cHeader header;
    header.dim = raw[0];
    header.hiddenDim = raw[1];
    header.layers = raw[2];
    header.heads = raw[3];
    header.kvHeads = raw[4];
    header.storedVocab = raw[5];
    header.vocab = raw[5] < 0 ? -int64_t(raw[5]) : int64_t(raw[5]);
    header.sharedClassifier = raw[5] > 0;
    header.seqLen = raw[6];
    return header;
}

std::string outOfRange(const char* field, int64_t value, int64_t limit) {
    return std::string(field) + " " + std::to_string(value) + " is outside 1.." +
           std::to_string(limit);
}

// Empty when the header is a plausible llama2.c header, else the first problem found.
std::string headerProblem(const Llama2cHeader& h) {
    if (h.dim < 1 || h.dim > kMaxDim)
        return outOfRange("dim", h.dim, kMaxDim);
    if (h.hiddenDim < 1 || h.hiddenDim > kMaxHiddenDim)
        return outOfRange("hidden_dim", h.hiddenDim, kMaxHiddenDim);
    if (h.layers < 1 || h.layers > kMaxLayers)
        return outOfRange("n_layers", h.layers, kMaxLayers);
    if (h.heads < 1 || h.heads > h.dim)
        return outOfRange("n_heads", h.heads, h.dim);
    if (h.dim % h.heads != 0)
        return "n_heads " + std::to_string(h.heads) + " does not divide dim " +
               std::to_string(h.dim);
    if ((h.dim / h.heads) % 2 != 0)
        return "head size " + std::to_string(h.dim / h.heads) + " is odd (RoPE needs pairs)";
    if (h.kvHeads < 1 || h.kvHeads > h.heads)
        return outOfRange("n_kv_heads", h.kvHeads, h.heads);
    if (h.heads % h.kvHeads != 0)
        return "n_kv_heads " + std::to_string(h.kvHeads) + " does not divide n_heads " +
               std::to_string(h.heads);
    if (h.vocab < 1 || h.vocab > kMaxVocab)
        return outOfRange("|vocab_size|", h.vocab, kMaxVocab);
    if (h.seqLen < 1 || h.seqLen > kMaxSeqLen)
        return outOfRange("seq_len", h.seqLen, kMaxSeqLen);
    return {};
}

// One of run.c's per-layer arrays, stored for all layers back to back.
struct StackedWeight {
    const char* ggufName; // blk.N.<ggufName>.weight
    std::vector<uint64_t> layerShape;
    uint64_t layerFloats = 0;
    uint64_t firstFloat = 0; // from the start of the weights
};

nlohmann::json headerJson(const Llama2cHeader& h) {
    return {{"dim", h.dim},       {"hidden_dim", h.hiddenDim}, {"n_layers", h.layers},
            {"n_heads", h.heads}, {"n_kv_heads", h.kvHeads},   {"vocab_size", h.vocab},
            {"seq_len", h.seqLen}};
}

} // namespace

bool Llama2cReader::recognizes(const std::filesystem::path&,
                               std::span<const std::byte> head) const {
    return head.size() >= kHeaderBytes && headerProblem(decodeHeader(head)).empty();
}

std::unique_ptr<Checkpoint> Llama2cReader::open(const std::filesystem::path& path) const {
    MappedFile file(path);
    ByteCursor cursor(file.bytes(), path);
    const Llama2cHeader h = decodeHeader(cursor.readBytes(kHeaderBytes, "llama2.c header"));
    if (const std::string problem = headerProblem(h); !problem.empty())
        throw FileError(path, "llama2.c header: " + problem);

    // Float offsets in run.c's order (memory_map_weights).
    const uint64_t dim = uint64_t(h.dim), hidden = uint64_t(h.hiddenDim), kv = h.kvDim();
    const uint64_t layers = uint64_t(h.layers), vocab = uint64_t(h.vocab);
    uint64_t floats = 0;
    auto take = [&](uint64_t count) {
        return std::exchange(floats, floats + count);
    };
    const uint64_t embedding = take(vocab * dim);
    // run.c's per-layer arrays, in file order.
    std::vector<StackedWeight> stacked = {
        {"attn_norm", {dim}},        {"attn_q", {dim, dim}},      {"attn_k", {kv, dim}},
        {"attn_v", {kv, dim}},       {"attn_output", {dim, dim}}, {"ffn_norm", {dim}},
        {"ffn_gate", {hidden, dim}}, {"ffn_down", {dim, hidden}}, {"ffn_up", {hidden, dim}},
    };
    for (StackedWeight& weight : stacked) {
        weight.layerFloats = checkedElementCount(weight.layerShape, path, weight.ggufName);
        weight.firstFloat = take(layers * weight.layerFloats);
    }
    const uint64_t outputNorm = take(dim);
    take(uint64_t(h.seqLen) * (h.headSize() / 2) * 2); // legacy RoPE tables, unused
    const uint64_t classifier = h.sharedClassifier ? embedding : take(vocab * dim);

    const uint64_t expected = kHeaderBytes + floats * sizeof(float);
    if (file.size() != expected)
        throw FileError(
            path,
            "llama2.c file is " + std::to_string(file.size()) + " bytes but its header (dim " +
                std::to_string(h.dim) + ", n_layers " + std::to_string(h.layers) + ", vocab_size " +
                std::to_string(h.storedVocab) + ") needs exactly " + std::to_string(expected) +
                " bytes" +
                (file.size() < expected ? ": the file is truncated" : ": extra bytes at the end"));

    auto checkpoint = std::make_unique<Checkpoint>(path, "llama2c");
    checkpoint->mutableMetadata() = headerJson(h);
    checkpoint->mutableMetadata()["vocab_size"] = h.storedVocab;
    checkpoint->mutableModel() = headerJson(h);
    checkpoint->mutableModel()["architecture"] = "llama";
    checkpoint->mutableModel()["shared_classifier"] = h.sharedClassifier;
    const uint32_t fileIndex = checkpoint->addFile(std::move(file));
    auto add = [&](std::string name, std::vector<uint64_t> shape, uint64_t firstFloat) {
        TensorInfo tensor;
        tensor.name = std::move(name);
        tensor.byteSize = checkedElementCount(shape, path, tensor.name) * sizeof(float);
        tensor.shape = std::move(shape);
        tensor.fileIndex = fileIndex;
        tensor.offset = kHeaderBytes + firstFloat * sizeof(float);
        checkpoint->addTensor(std::move(tensor));
    };
    add("token_embd.weight", {vocab, dim}, embedding);
    for (uint64_t layer = 0; layer < layers; ++layer)
        for (const StackedWeight& weight : stacked)
            add("blk." + std::to_string(layer) + "." + weight.ggufName + ".weight",
                weight.layerShape, weight.firstFloat + layer * weight.layerFloats);
    add("output_norm.weight", {dim}, outputNorm);
    if (!h.sharedClassifier)
        add("output.weight", {vocab, dim}, classifier);
    checkpoint->finish();
    return checkpoint;
}

} // namespace bitlens

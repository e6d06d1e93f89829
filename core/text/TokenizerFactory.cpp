// SPDX-License-Identifier: MIT
#include "core/text/TokenizerFactory.h"

#include "core/io/Checkpoint.h"
#include "core/io/CheckpointReader.h"
#include "core/io/GgufValue.h"
#include "core/io/Llama2cTokenizer.h"
#include "core/io/MappedFile.h"
#include "core/text/GgufTokenizer.h"
#include "core/text/HuggingFaceTokenizer.h"
#include "core/text/SentencePieceTokenizer.h"
#include "core/util/Error.h"

#include <cstring>

namespace bitlens {
namespace {

namespace fs = std::filesystem;

// llama2.c's tokenizer.bin: SentencePiece without stored types. run.c fixes <unk> 0, BOS 1 and
// EOS 2 (exported as "\n<s>\n" and "\n</s>\n") and byte tokens <0xXX>. Its export writes spaces
// as spaces; a vocabulary that kept U+2581 is read with that marker.
std::unique_ptr<Tokenizer> llama2cTokenizer(const fs::path& path, const Checkpoint& model) {
    Vocabulary vocabulary = readLlama2cTokenizer(path, model);
    std::vector<TokenType> types;
    types.reserve(vocabulary.size());
    bool marksSpaces = false;
    for (const std::string& token : vocabulary.tokens) {
        types.push_back(inferredTokenType(token));
        marksSpaces = marksSpaces || token.find(kSentencePieceSpace) != std::string::npos;
    }
    const auto ifPresent = [&](int32_t id) {
        return size_t(id) < vocabulary.size() ? id : -1;
    };
    const SpecialTokenIds special{ifPresent(1), ifPresent(2), ifPresent(0)};
    for (const int32_t id : {special.bos, special.eos})
        if (id >= 0)
            types[size_t(id)] = TokenType::Control;
    if (special.unknown >= 0)
        types[size_t(special.unknown)] = TokenType::Unknown;
    SentencePieceOptions options;
    options.spaceMarker = marksSpaces ? std::string(kSentencePieceSpace) : std::string(" ");
    return std::make_unique<SentencePieceTokenizer>(
        TokenTable(std::move(vocabulary), std::move(types), special, {}), std::move(options));
}

// A Hugging Face folder's config.json, kept in the checkpoint's metadata; nullptr without one.
const nlohmann::json* configOf(const Checkpoint& model) {
    const auto found = model.metadata().find("config");
    return found == model.metadata().end() ? nullptr : &*found;
}

std::unique_ptr<Tokenizer> embeddedTokenizer(const Checkpoint& model) {
    if (model.format() == "gguf")
        return tokenizerFromGguf(model.metadata(), model.source());
    if (model.format() == "safetensors") {
        std::error_code error;
        const fs::path folder =
            fs::is_directory(model.source(), error) ? model.source() : model.source().parent_path();
        const fs::path tokenizerJson = folder / "tokenizer.json";
        if (!fs::is_regular_file(tokenizerJson, error))
            throw FileError(model.source(), "there is no tokenizer.json in " + folder.string() +
                                                ": give a tokenizer file");
        return readHuggingFaceTokenizer(tokenizerJson, configOf(model));
    }
    if (model.format() == "llama2c")
        throw FileError(model.source(), "a llama2.c checkpoint carries no tokenizer: give its "
                                        "tokenizer.bin (such as tok512.bin for stories260K)");
    throw FileError(model.source(), "a " + model.format() +
                                        " checkpoint carries no tokenizer this reader knows: give "
                                        "a tokenizer file");
}

enum class TokenizerFileKind { Gguf, Json, Llama2c };

TokenizerFileKind kindOf(const fs::path& path) {
    const MappedFile file(path);
    const auto bytes = file.bytes();
    if (bytes.size() >= sizeof(kGgufMagic) &&
        std::memcmp(bytes.data(), kGgufMagic, sizeof(kGgufMagic)) == 0)
        return TokenizerFileKind::Gguf;
    for (const std::byte b : bytes.first(std::min<size_t>(bytes.size(), 4096))) {
        const char c = char(b);
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
            continue;
        return c == '{' ? TokenizerFileKind::Json : TokenizerFileKind::Llama2c;
    }
    return TokenizerFileKind::Llama2c;
}

std::unique_ptr<Tokenizer> tokenizerFromFile(const Checkpoint& model, const fs::path& path) {
    switch (kindOf(path)) {
    case TokenizerFileKind::Gguf: {
        const auto vocabularyFile = openCheckpoint(path);
        return tokenizerFromGguf(vocabularyFile->metadata(), path);
    }
    case TokenizerFileKind::Json:
        return readHuggingFaceTokenizer(path, configOf(model));
    case TokenizerFileKind::Llama2c:
        break;
    }
    return llama2cTokenizer(path, model);
}

// A tokenizer with ids beyond the model's embedding rows cannot drive it.
void checkFitsModel(const Tokenizer& tokenizer, const Checkpoint& model,
                    const fs::path& tokenizerSource) {
    const auto found = model.model().find("vocab_size");
    if (found == model.model().end() || !found->is_number_integer())
        return;
    const int64_t modelVocabulary = found->get<int64_t>();
    if (modelVocabulary >= 0 && tokenizer.vocabSize() > uint64_t(modelVocabulary))
        throw FileError(tokenizerSource,
                        "the tokenizer has " + std::to_string(tokenizer.vocabSize()) +
                            " tokens but the model " + model.source().string() +
                            " has a vocabulary of " + std::to_string(modelVocabulary));
}

} // namespace

std::unique_ptr<Tokenizer> loadTokenizer(const Checkpoint& model, const fs::path& tokenizerFile) {
    auto tokenizer =
        tokenizerFile.empty() ? embeddedTokenizer(model) : tokenizerFromFile(model, tokenizerFile);
    checkFitsModel(*tokenizer, model, tokenizerFile.empty() ? model.source() : tokenizerFile);
    return tokenizer;
}

} // namespace bitlens

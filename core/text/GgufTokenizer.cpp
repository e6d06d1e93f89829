// SPDX-License-Identifier: MIT
#include "core/text/GgufTokenizer.h"

#include "core/text/BpeTokenizer.h"
#include "core/text/SentencePieceTokenizer.h"
#include "core/util/Error.h"

#include <cfloat>
#include <climits>
#include <cmath>

namespace bitlens {
namespace {

constexpr const char* kModelKey = "tokenizer.ggml.model";
constexpr const char* kTokensKey = "tokenizer.ggml.tokens";
constexpr const char* kScoresKey = "tokenizer.ggml.scores";
constexpr const char* kTypesKey = "tokenizer.ggml.token_type";

// Reads tokenizer.ggml.* keys of one file, each failure naming the file and the key.
class GgufKeys {
public:
    GgufKeys(const nlohmann::json& metadata, std::filesystem::path source)
        : metadata_(metadata), source_(std::move(source)) {}

    [[noreturn]] void fail(const std::string& key, const std::string& problem) const {
        throw FileError(source_, key + ": " + problem);
    }
    [[noreturn]] void fail(const std::string& problem) const { throw FileError(source_, problem); }

    const nlohmann::json* find(const std::string& key) const {
        const auto found = metadata_.find(key);
        return found == metadata_.end() ? nullptr : &*found;
    }

    std::string string(const std::string& key) const {
        const nlohmann::json* value = find(key);
        if (!value)
            fail("the tokenizer key " + key + " is missing");
        if (!value->is_string())
            fail(key, "must be a string");
        return value->get<std::string>();
    }

    const nlohmann::json& array(const std::string& key) const {
        const nlohmann::json* value = find(key);
        if (!value)
            fail("the tokenizer key " + key + " is missing");
        if (!value->is_array())
            fail(key, "must be an array");
        return *value;
    }

    std::vector<std::string> strings(const std::string& key) const {
        const nlohmann::json& values = array(key);
        std::vector<std::string> result;
        result.reserve(values.size());
        for (const auto& value : values) {
            if (!value.is_string())
                fail(key, "element " + std::to_string(result.size()) + " is not a string");
            result.push_back(value.get<std::string>());
        }
        return result;
    }

    // An array of `count` elements, or nullptr when the key is absent.
    const nlohmann::json* optionalArray(const std::string& key, size_t count) const {
        if (!find(key))
            return nullptr;
        const nlohmann::json& values = array(key);
        if (values.size() != count)
            fail(key, "has " + std::to_string(values.size()) + " elements but " + kTokensKey +
                          " has " + std::to_string(count));
        return &values;
    }

    // A token id key; `fallback` when absent.
    int32_t tokenId(const std::string& key, int32_t fallback, size_t count) const {
        const nlohmann::json* value = find(key);
        if (!value)
            return fallback;
        if (!value->is_number_integer())
            fail(key, "must be an integer");
        const int64_t id = value->get<int64_t>();
        if (id < 0 || uint64_t(id) >= count)
            fail(key, "token id " + std::to_string(id) + " is outside the vocabulary of " +
                          std::to_string(count) + " tokens");
        return int32_t(id);
    }

    bool flag(const std::string& key, bool fallback) const {
        const nlohmann::json* value = find(key);
        if (!value)
            return fallback;
        if (!value->is_boolean())
            fail(key, "must be a boolean");
        return value->get<bool>();
    }

private:
    const nlohmann::json& metadata_;
    std::filesystem::path source_;
};

// GGUF stores llama.cpp's token type enum: 1 normal, 2 unknown, 3 control, 4 user-defined,
// 5 unused, 6 byte (0 undefined, read as normal).
TokenType tokenTypeFromGguf(const GgufKeys& keys, const nlohmann::json& value, size_t index) {
    if (!value.is_number_integer())
        keys.fail(kTypesKey, "element " + std::to_string(index) + " is not an integer");
    switch (value.get<int64_t>()) {
    case 0:
    case 1:
        return TokenType::Normal;
    case 2:
        return TokenType::Unknown;
    case 3:
        return TokenType::Control;
    case 4:
        return TokenType::UserDefined;
    case 5:
        return TokenType::Unused;
    case 6:
        return TokenType::Byte;
    default:
        keys.fail(kTypesKey, "element " + std::to_string(index) + " is the unknown token type " +
                                 std::to_string(value.get<int64_t>()));
    }
}

struct GgufVocabulary {
    Vocabulary vocabulary;
    std::vector<TokenType> types;
    std::vector<int32_t> userDefined;
};

GgufVocabulary readVocabulary(const GgufKeys& keys) {
    GgufVocabulary result;
    result.vocabulary.tokens = keys.strings(kTokensKey);
    const size_t count = result.vocabulary.size();
    if (count == 0)
        keys.fail(kTokensKey, "is empty");
    if (count > size_t(INT32_MAX))
        keys.fail(kTokensKey, "has more tokens than 32-bit ids can name");
    result.vocabulary.scores.assign(count, 0.0f);
    if (const nlohmann::json* scores = keys.optionalArray(kScoresKey, count)) {
        for (size_t i = 0; i < count; ++i) {
            const nlohmann::json& score = (*scores)[i];
            if (!score.is_number() || !(std::fabs(score.get<double>()) <= FLT_MAX))
                keys.fail(kScoresKey,
                          "element " + std::to_string(i) + " is not a finite float32 number");
            result.vocabulary.scores[i] = float(score.get<double>());
        }
    }
    result.types.reserve(count);
    const nlohmann::json* types = keys.optionalArray(kTypesKey, count);
    for (size_t i = 0; i < count; ++i) {
        result.types.push_back(types ? tokenTypeFromGguf(keys, (*types)[i], i)
                                     : inferredTokenType(result.vocabulary.tokens[i]));
        if (result.types.back() == TokenType::UserDefined)
            result.userDefined.push_back(int32_t(i));
    }
    for (const std::string& token : result.vocabulary.tokens)
        result.vocabulary.maxTokenLength =
            std::max(result.vocabulary.maxTokenLength, uint32_t(token.size()));
    return result;
}

SpecialTokenIds readSpecialIds(const GgufKeys& keys, size_t count, SpecialTokenIds fallback) {
    SpecialTokenIds ids;
    ids.bos = keys.tokenId("tokenizer.ggml.bos_token_id", fallback.bos, count);
    ids.eos = keys.tokenId("tokenizer.ggml.eos_token_id", fallback.eos, count);
    ids.unknown = keys.tokenId("tokenizer.ggml.unknown_token_id", fallback.unknown, count);
    return ids;
}

// Defaults llama.cpp assumes for a SentencePiece vocabulary without special id keys, where the
// vocabulary is that large.
SpecialTokenIds sentencePieceDefaults(size_t count) {
    const auto ifPresent = [count](int32_t id) {
        return size_t(id) < count ? id : -1;
    };
    return {ifPresent(1), ifPresent(2), ifPresent(0)};
}

std::unique_ptr<Tokenizer> sentencePieceFromGguf(const GgufKeys& keys) {
    GgufVocabulary read = readVocabulary(keys);
    const size_t count = read.vocabulary.size();
    const SpecialTokenIds special = readSpecialIds(keys, count, sentencePieceDefaults(count));
    SentencePieceOptions options;
    options.addSpacePrefix = keys.flag("tokenizer.ggml.add_space_prefix", true);
    return std::make_unique<SentencePieceTokenizer>(
        TokenTable(std::move(read.vocabulary), std::move(read.types), special, read.userDefined),
        std::move(options));
}

// llama.cpp's merges: "left right", split at the first space after the first byte.
std::vector<std::pair<std::string, std::string>> readMerges(const GgufKeys& keys) {
    const std::string key = "tokenizer.ggml.merges";
    std::vector<std::pair<std::string, std::string>> merges;
    for (std::string& merge : keys.strings(key)) {
        const size_t space = merge.find(' ', 1);
        if (space == std::string::npos || space + 1 == merge.size())
            keys.fail(key, "element " + std::to_string(merges.size()) + " '" + merge +
                               "' is not two tokens separated by a space");
        merges.emplace_back(merge.substr(0, space), merge.substr(space + 1));
    }
    return merges;
}

std::unique_ptr<Tokenizer> bytePairFromGguf(const GgufKeys& keys) {
    const std::string preKey = "tokenizer.ggml.pre";
    const std::string preName = keys.find(preKey) ? keys.string(preKey) : "default";
    const auto pre = preTokenizerFromGgufName(preName);
    if (!pre)
        keys.fail(preKey, "the pre-tokenizer '" + preName +
                              "' is not supported (default, gpt-2, llama-bpe and qwen2 are)");
    GgufVocabulary read = readVocabulary(keys);
    const size_t count = read.vocabulary.size();
    const SpecialTokenIds special = readSpecialIds(keys, count, {});
    BpeOptions options;
    options.style = BpeStyle::ByteLevel;
    options.preTokenizer = *pre;
    options.ignoreMerges = *pre == PreTokenizer::Llama3; // as llama.cpp does for llama-bpe
    try {
        return std::make_unique<BpeTokenizer>(TokenTable(std::move(read.vocabulary),
                                                         std::move(read.types), special,
                                                         read.userDefined),
                                              readMerges(keys), options);
    } catch (const FileError&) {
        throw;
    } catch (const Error& error) {
        keys.fail(error.what());
    }
}

} // namespace

std::unique_ptr<Tokenizer> tokenizerFromGguf(const nlohmann::json& metadata,
                                             const std::filesystem::path& source) {
    const GgufKeys keys(metadata, source);
    const std::string model = keys.string(kModelKey);
    if (model == "llama")
        return sentencePieceFromGguf(keys);
    if (model == "gpt2")
        return bytePairFromGguf(keys);
    keys.fail(kModelKey,
              "the tokenizer model '" + model + "' is not supported (llama and gpt2 are)");
}

} // namespace bitlens

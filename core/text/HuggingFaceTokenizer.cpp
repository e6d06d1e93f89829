// SPDX-License-Identifier: MIT
#include "core/text/HuggingFaceTokenizer.h"

#include "core/io/JsonText.h"
#include "core/text/BpeTokenizer.h"
#include "core/text/SentencePieceTokenizer.h"
#include "core/util/Error.h"

#include <algorithm>
#include <optional>

namespace bitlens {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr uint64_t kMaxTokenizerJsonBytes = uint64_t(256) << 20;
constexpr int64_t kMaxVocabulary = 10'000'000;

// Field access on one tokenizer.json, each failure naming the file and the field.
class JsonFields {
public:
    explicit JsonFields(fs::path path) : path_(std::move(path)) {}

    [[noreturn]] void fail(const std::string& problem) const { throw FileError(path_, problem); }

    const json& member(const json& object, const std::string& name, const std::string& where,
                       json::value_t type) const {
        const auto found = object.find(name);
        if (found == object.end())
            fail(where + " has no \"" + name + "\"");
        if (found->type() != type && !(type == json::value_t::number_integer &&
                                       found->type() == json::value_t::number_unsigned))
            fail(where + "." + name + " is a " + found->type_name() + ", not a " +
                 json(type).type_name());
        return *found;
    }

    // The member, or nullptr when absent or null.
    const json* optional(const json& object, const std::string& name) const {
        const auto found = object.find(name);
        return found == object.end() || found->is_null() ? nullptr : &*found;
    }

    bool flag(const json& object, const std::string& name, const std::string& where,
              bool fallback) const {
        const json* value = optional(object, name);
        if (!value)
            return fallback;
        if (!value->is_boolean())
            fail(where + "." + name + " is not a boolean");
        return value->get<bool>();
    }

    std::string text(const json& object, const std::string& name, const std::string& where) const {
        return member(object, name, where, json::value_t::string).get<std::string>();
    }

    int32_t tokenId(const json& value, const std::string& where) const {
        if (!value.is_number_integer() || value.get<int64_t>() < 0 ||
            value.get<int64_t>() >= kMaxVocabulary)
            fail(where + " is not a token id from 0 to " + std::to_string(kMaxVocabulary - 1));
        return int32_t(value.get<int64_t>());
    }

private:
    fs::path path_;
};

// The parts of a normalizer or pre-tokenizer, with Sequences flattened.
std::vector<const json*> flattened(const JsonFields& fields, const json* root,
                                   const std::string& where, const char* listKey) {
    std::vector<const json*> parts;
    if (!root)
        return parts;
    if (!root->is_object())
        fields.fail(where + " is not an object");
    if (root->value("type", std::string()) != "Sequence") {
        parts.push_back(root);
        return parts;
    }
    for (const json& part : fields.member(*root, listKey, where, json::value_t::array)) {
        const auto nested = flattened(fields, &part, where, listKey);
        parts.insert(parts.end(), nested.begin(), nested.end());
    }
    return parts;
}

struct TokenList {
    Vocabulary vocabulary;
    std::vector<TokenType> types;
    std::vector<int32_t> added;
};

TokenList readTokens(const JsonFields& fields, const json& root, const json& model) {
    std::vector<std::optional<std::string>> texts;
    std::vector<TokenType> types;
    const auto place = [&](int32_t id, const std::string& text, TokenType type) {
        if (size_t(id) >= texts.size()) {
            texts.resize(size_t(id) + 1);
            types.resize(size_t(id) + 1, TokenType::Normal);
        }
        if (texts[size_t(id)] && *texts[size_t(id)] != text)
            fields.fail("token id " + std::to_string(id) + " is both '" + *texts[size_t(id)] +
                        "' and '" + text + "'");
        texts[size_t(id)] = text;
        types[size_t(id)] = type;
    };
    for (const auto& [text, id] :
         fields.member(model, "vocab", "model", json::value_t::object).items())
        place(fields.tokenId(id, "model.vocab['" + text + "']"), text, inferredTokenType(text));

    TokenList list;
    if (const json* added = fields.optional(root, "added_tokens")) {
        if (!added->is_array())
            fields.fail("added_tokens is not an array");
        for (const json& token : *added) {
            const std::string where = "added_tokens[" + std::to_string(list.added.size()) + "]";
            if (!token.is_object())
                fields.fail(where + " is not an object");
            const int32_t id = fields.tokenId(
                fields.member(token, "id", where, json::value_t::number_integer), where + ".id");
            const std::string content = fields.text(token, "content", where);
            if (content.empty())
                fields.fail(where + ".content is empty");
            place(id, content,
                  fields.flag(token, "special", where, false) ? TokenType::Control
                                                              : TokenType::UserDefined);
            list.added.push_back(id);
        }
    }
    if (texts.empty())
        fields.fail("model.vocab is empty");
    for (size_t id = 0; id < texts.size(); ++id) {
        if (!texts[id])
            fields.fail("token id " + std::to_string(id) + " has no text (ids run to " +
                        std::to_string(texts.size() - 1) + ")");
        list.vocabulary.maxTokenLength =
            std::max(list.vocabulary.maxTokenLength, uint32_t(texts[id]->size()));
        list.vocabulary.tokens.push_back(std::move(*texts[id]));
    }
    list.vocabulary.scores.assign(list.vocabulary.size(), 0.0f);
    list.types = std::move(types);
    return list;
}

// Merges as "left right" strings or as [left, right] pairs (newer files).
std::vector<std::pair<std::string, std::string>> readMerges(const JsonFields& fields,
                                                            const json& model) {
    std::vector<std::pair<std::string, std::string>> merges;
    for (const json& merge : fields.member(model, "merges", "model", json::value_t::array)) {
        const std::string where = "model.merges[" + std::to_string(merges.size()) + "]";
        if (merge.is_string()) {
            const std::string text = merge.get<std::string>();
            const size_t space = text.find(' ');
            if (space == 0 || space == std::string::npos || space + 1 == text.size() ||
                text.find(' ', space + 1) != std::string::npos)
                fields.fail(where + " '" + text + "' is not two tokens separated by a space");
            merges.emplace_back(text.substr(0, space), text.substr(space + 1));
        } else if (merge.is_array() && merge.size() == 2 && merge[0].is_string() &&
                   merge[1].is_string()) {
            merges.emplace_back(merge[0].get<std::string>(), merge[1].get<std::string>());
        } else {
            fields.fail(where + " is neither a string nor a pair of strings");
        }
    }
    return merges;
}

void checkPlainBpe(const JsonFields& fields, const json& model) {
    for (const char* affix : {"continuing_subword_prefix", "end_of_word_suffix"}) {
        const json* value = fields.optional(model, affix);
        if (value && !(value->is_string() && value->get<std::string>().empty()))
            fields.fail(std::string("model.") + affix + " is not supported");
    }
    const json* dropout = fields.optional(model, "dropout");
    if (dropout && !(dropout->is_number() && dropout->get<double>() == 0.0))
        fields.fail("model.dropout is not supported (it makes encoding random)");
}

void readNormalizer(const JsonFields& fields, const json& root, BpeOptions& options,
                    bool& spacesReplaced) {
    for (const json* part :
         flattened(fields, fields.optional(root, "normalizer"), "normalizer", "normalizers")) {
        const std::string type = fields.text(*part, "type", "normalizer");
        if (type == "NFC") {
            options.nfc = true;
        } else if (type == "Prepend" &&
                   fields.text(*part, "prepend", "normalizer") == kSentencePieceSpace) {
            options.spacePrefix = SpacePrefix::EveryFragment;
        } else if (type == "Replace" && part->contains("pattern") &&
                   (*part)["pattern"].value("String", std::string()) == " " &&
                   fields.text(*part, "content", "normalizer") == kSentencePieceSpace) {
            spacesReplaced = true;
        } else {
            fields.fail("the normalizer '" + type + "' (" + part->dump() + ") is not supported");
        }
    }
}

struct PreTokenizerParts {
    bool byteLevel = false;
    std::optional<PreTokenizer> split;
    bool metaspace = false;
};

void readPreTokenizer(const JsonFields& fields, const json& root, BpeOptions& options,
                      PreTokenizerParts& parts) {
    const std::string where = "pre_tokenizer";
    for (const json* part :
         flattened(fields, fields.optional(root, where), where, "pretokenizers")) {
        const std::string type = fields.text(*part, "type", where);
        if (type == "ByteLevel") {
            if (fields.flag(*part, "add_prefix_space", where, false))
                fields.fail("a ByteLevel pre-tokenizer with add_prefix_space is not supported");
            parts.byteLevel = true;
            if (fields.flag(*part, "use_regex", where, true)) {
                if (parts.split)
                    fields.fail("a ByteLevel pre-tokenizer with use_regex after a Split is not "
                                "supported");
                parts.split = PreTokenizer::Gpt2;
            }
        } else if (type == "Split") {
            const json& pattern = fields.member(*part, "pattern", where, json::value_t::object);
            const std::string regex = pattern.value("Regex", std::string());
            const auto known = preTokenizerFromRegex(regex);
            if (!known || part->value("behavior", std::string()) != "Isolated" ||
                fields.flag(*part, "invert", where, false) || parts.split)
                fields.fail("the Split pre-tokenizer " + part->dump() +
                            " is not supported (the GPT-2, Llama 3 and Qwen2 regexes, Isolated, "
                            "are)");
            parts.split = known;
        } else if (type == "Metaspace") {
            if (fields.text(*part, "replacement", where) != kSentencePieceSpace)
                fields.fail("a Metaspace pre-tokenizer whose replacement is not U+2581 is not "
                            "supported");
            parts.metaspace = true;
            const json* scheme = fields.optional(*part, "prepend_scheme");
            const std::string prepend = scheme && scheme->is_string() ? scheme->get<std::string>()
                                        : fields.flag(*part, "add_prefix_space", where, true)
                                            ? "always"
                                            : "never";
            if (prepend == "always")
                options.spacePrefix = SpacePrefix::EveryFragment;
            else if (prepend == "first")
                options.spacePrefix = SpacePrefix::FirstFragment;
            else if (prepend == "never")
                options.spacePrefix = SpacePrefix::None;
            else
                fields.fail("Metaspace prepend_scheme '" + prepend + "' is not supported");
            options.splitAtSpaces = fields.flag(*part, "split", where, true);
        } else {
            fields.fail("the pre-tokenizer '" + type +
                        "' is not supported (ByteLevel, Split and "
                        "Metaspace are)");
        }
    }
}

// config.json's id (an integer, or the first of a list), else -1.
int32_t configId(const json* config, const char* key, size_t count) {
    if (!config || !config->is_object() || !config->contains(key))
        return -1;
    json value = (*config)[key];
    if (value.is_array() && !value.empty())
        value = value[0];
    if (!value.is_number_integer() || value.get<int64_t>() < 0 ||
        uint64_t(value.get<int64_t>()) >= count)
        return -1;
    return int32_t(value.get<int64_t>());
}

// tokenizer_config.json's bos_token / eos_token (a string or {"content": ...}) as ids.
SpecialTokenIds idsFromTokenizerConfig(const fs::path& tokenizerJson,
                                       const std::vector<std::string>& tokens) {
    SpecialTokenIds ids;
    const fs::path path = tokenizerJson.parent_path() / "tokenizer_config.json";
    std::error_code error;
    if (!fs::is_regular_file(path, error))
        return ids;
    const json config = readJsonObjectFile(path, kMaxTokenizerJsonBytes, "tokenizer_config.json");
    const auto idOf = [&](const char* key) {
        const auto found = config.find(key);
        if (found == config.end())
            return -1;
        const json& value = found->is_object() ? found->value("content", json()) : *found;
        if (!value.is_string())
            return -1;
        const auto at = std::find(tokens.begin(), tokens.end(), value.get<std::string>());
        return at == tokens.end() ? -1 : int32_t(at - tokens.begin());
    };
    ids.bos = idOf("bos_token");
    ids.eos = idOf("eos_token");
    return ids;
}

std::unique_ptr<Tokenizer> parseTokenizerJson(const fs::path& path, const json* config) {
    const json root = readJsonObjectFile(path, kMaxTokenizerJsonBytes, "tokenizer.json");
    const JsonFields fields(path);
    const json& model = fields.member(root, "model", "tokenizer.json", json::value_t::object);
    const std::string type = fields.text(model, "type", "model");
    if (type != "BPE")
        fields.fail("the tokenizer model type '" + type + "' is not supported (BPE is)");
    checkPlainBpe(fields, model);

    BpeOptions options;
    bool spacesReplaced = false;
    PreTokenizerParts parts;
    readNormalizer(fields, root, options, spacesReplaced);
    readPreTokenizer(fields, root, options, parts);
    options.ignoreMerges = fields.flag(model, "ignore_merges", "model", false);
    options.byteFallback = fields.flag(model, "byte_fallback", "model", false);
    if (parts.byteLevel) {
        if (!parts.split)
            fields.fail("a ByteLevel pre-tokenizer without a word-splitting regex is not "
                        "supported");
        options.style = BpeStyle::ByteLevel;
        options.preTokenizer = *parts.split;
    } else if (parts.metaspace || spacesReplaced) {
        options.style = BpeStyle::SentencePiece;
        if (parts.split)
            fields.fail("a Split pre-tokenizer without ByteLevel is not supported");
    } else {
        fields.fail("neither a byte-level BPE (ByteLevel pre-tokenizer) nor a SentencePiece-style "
                    "one (Metaspace pre-tokenizer or a normalizer replacing spaces by U+2581)");
    }

    TokenList list = readTokens(fields, root, model);
    const size_t count = list.vocabulary.size();
    SpecialTokenIds special;
    try {
        if (const json* unknown = fields.optional(model, "unk_token")) {
            if (!unknown->is_string())
                fields.fail("model.unk_token is not a string");
            const auto found = std::find(list.vocabulary.tokens.begin(),
                                         list.vocabulary.tokens.end(), unknown->get<std::string>());
            if (found == list.vocabulary.tokens.end())
                fields.fail("model.unk_token '" + unknown->get<std::string>() +
                            "' is not in the vocabulary");
            special.unknown = int32_t(found - list.vocabulary.tokens.begin());
        }
        special.bos = configId(config, "bos_token_id", count);
        special.eos = configId(config, "eos_token_id", count);
        if (special.bos < 0 && special.eos < 0) {
            const SpecialTokenIds named = idsFromTokenizerConfig(path, list.vocabulary.tokens);
            special.bos = named.bos;
            special.eos = named.eos;
        }
        TokenTable table(std::move(list.vocabulary), std::move(list.types), special, list.added);
        return std::make_unique<BpeTokenizer>(std::move(table), readMerges(fields, model), options);
    } catch (const FileError&) {
        throw;
    } catch (const Error& error) {
        fields.fail(error.what());
    }
}

} // namespace

std::unique_ptr<Tokenizer> readHuggingFaceTokenizer(const fs::path& path, const json* config) {
    try {
        return parseTokenizerJson(path, config);
    } catch (const json::exception& error) {
        // A field of an unexpected JSON type that the checks above do not name.
        throw FileError(path, std::string("unexpected tokenizer.json structure: ") + error.what());
    }
}

} // namespace bitlens

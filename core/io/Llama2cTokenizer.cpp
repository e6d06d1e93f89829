// SPDX-License-Identifier: MIT
#include "core/io/Llama2cTokenizer.h"

#include "core/io/ByteCursor.h"
#include "core/io/Checkpoint.h"
#include "core/io/MappedFile.h"

#include <cmath>

namespace bitlens {

namespace {

constexpr uint64_t kMaxVocabulary = 10'000'000;
constexpr int32_t kMaxTokenLength = 1 << 16;

} // namespace

Vocabulary readLlama2cTokenizer(const std::filesystem::path& path, uint64_t vocabSize) {
    if (vocabSize == 0 || vocabSize > kMaxVocabulary)
        throw FileError(path, "vocabulary size " + std::to_string(vocabSize) + " is outside 1.." +
                                  std::to_string(kMaxVocabulary));
    const MappedFile file(path);
    ByteCursor cursor(file.bytes(), path);
    const int32_t maxLength = cursor.read<int32_t>("max_token_length");
    if (maxLength < 1 || maxLength > kMaxTokenLength)
        throw FileError(path, "max_token_length " + std::to_string(maxLength) + " is outside 1.." +
                                  std::to_string(kMaxTokenLength));
    // Each token takes at least 8 bytes: refuse a count the file cannot hold before reserving.
    if (vocabSize > cursor.remaining() / 8)
        throw FileError(path, "file is too short for " + std::to_string(vocabSize) + " tokens (" +
                                  std::to_string(file.size()) + " bytes)");
    Vocabulary vocabulary;
    vocabulary.maxTokenLength = uint32_t(maxLength);
    vocabulary.tokens.reserve(vocabSize);
    vocabulary.scores.reserve(vocabSize);
    for (uint64_t i = 0; i < vocabSize; ++i) {
        const std::string field = "token " + std::to_string(i);
        const float score = cursor.read<float>(field + " score");
        if (!std::isfinite(score))
            cursor.fail(field + " score", "is not a finite number");
        const int32_t length = cursor.read<int32_t>(field + " length");
        if (length < 0 || length > maxLength)
            cursor.fail(field + " length", std::to_string(length) + " is outside 0.." +
                                               std::to_string(maxLength) + " (max_token_length)");
        vocabulary.scores.push_back(score);
        vocabulary.tokens.push_back(cursor.readString(uint64_t(length), field + " bytes"));
    }
    if (cursor.remaining() != 0)
        cursor.fail("end of tokenizer", std::to_string(cursor.remaining()) +
                                            " bytes follow the last of " +
                                            std::to_string(vocabSize) +
                                            " tokens: the tokenizer does not match the model");
    return vocabulary;
}

Vocabulary readLlama2cTokenizer(const std::filesystem::path& path, const Checkpoint& model) {
    const auto found = model.model().find("vocab_size");
    if (found == model.model().end() || !found->is_number_integer() || found->get<int64_t>() < 1)
        throw Error(model.source().string() +
                    ": the checkpoint does not give a vocabulary size "
                    "to read the tokenizer " +
                    path.string() + " with");
    return readLlama2cTokenizer(path, found->get<uint64_t>());
}

} // namespace bitlens

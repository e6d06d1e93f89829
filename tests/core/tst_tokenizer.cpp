// SPDX-License-Identifier: MIT
#include "common/TestData.h"
#include "core/io/CheckpointReader.h"
#include "core/io/GgufWriter.h"
#include "core/text/TokenizerFactory.h"
#include "core/util/Error.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>
#include <algorithm>
#include <sstream>

using namespace bitlens;
namespace fs = std::filesystem;

namespace {

fs::path sharedFile(const char* relative) {
    return test::sharedDataPath(QString::fromLatin1(relative)).toStdString();
}

std::string fileText(const fs::path& path) {
    QFile file(QString::fromStdString(path.string()));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    const QByteArray bytes = file.readAll();
    return {bytes.constData(), size_t(bytes.size())};
}

struct VocabCase {
    std::string input;
    std::vector<int32_t> ids;
};

// llama.cpp's test-tokenizer-0 files: the inputs, each followed by "\n__ggml_vocab_test__\n";
// the expected ids, one line per input, each id preceded by a space.
std::vector<VocabCase> readVocabCases(const fs::path& inputs, const fs::path& outputs) {
    const std::string separator = "\n__ggml_vocab_test__\n";
    const std::string inputText = fileText(inputs);
    std::vector<VocabCase> cases;
    for (size_t at = 0; at < inputText.size();) {
        const size_t end = inputText.find(separator, at);
        if (end == std::string::npos)
            return {}; // every input ends with the separator
        cases.push_back({inputText.substr(at, end - at), {}});
        at = end + separator.size();
    }
    const std::string outputText = fileText(outputs);
    size_t line = 0;
    for (size_t at = 0; at < outputText.size(); ++line) {
        size_t end = outputText.find('\n', at);
        if (end == std::string::npos)
            end = outputText.size();
        if (line >= cases.size())
            return {};
        std::istringstream ids(outputText.substr(at, end - at));
        for (int32_t id; ids >> id;)
            cases[line].ids.push_back(id);
        at = end + 1;
    }
    return line == cases.size() ? cases : std::vector<VocabCase>{};
}

QString idsText(const std::vector<int32_t>& ids) {
    QStringList parts;
    for (const int32_t id : ids)
        parts << QString::number(id);
    return parts.join(' ');
}

std::string decodeAll(const Tokenizer& tokenizer, const std::vector<int32_t>& ids,
                      int32_t previous = -1) {
    std::string text;
    for (const int32_t id : ids) {
        text += tokenizer.decode(previous, id);
        previous = id;
    }
    return text;
}

std::unique_ptr<Tokenizer> llamaSpmTokenizer() {
    const auto vocabulary = openCheckpoint(sharedFile("gguf/ggml-vocab-llama-spm.gguf"));
    return loadTokenizer(*vocabulary, {});
}

GgufValue stringArray(std::vector<std::string> texts) {
    GgufArray array{GgufType::String, {}};
    for (std::string& text : texts)
        array.elements.push_back({std::move(text)});
    return {std::move(array)};
}

GgufValue floatArray(std::vector<float> values) {
    GgufArray array{GgufType::Float32, {}};
    for (const float value : values)
        array.elements.push_back({value});
    return {std::move(array)};
}

using Metadata = std::vector<std::pair<std::string, GgufValue>>;

// A vocabulary-only GGUF file with the given metadata, opened as a checkpoint.
std::unique_ptr<Checkpoint> vocabularyGguf(const QTemporaryDir& dir, const char* name,
                                           Metadata metadata) {
    GgufWriter writer;
    for (auto& [key, value] : metadata)
        writer.addMetadata(key, std::move(value));
    const fs::path path = fs::path(dir.path().toStdString()) / name;
    writer.write(path);
    return openCheckpoint(path);
}

} // namespace

class TestTokenizer : public QObject {
    Q_OBJECT
private slots:
    void llamaSpmMatchesLlamaCppCases() {
        BITLENS_REQUIRE_SHARED_DATA();
        const auto tokenizer = llamaSpmTokenizer();
        const auto cases = readVocabCases(sharedFile("gguf/ggml-vocab-llama-spm.gguf.inp"),
                                          sharedFile("gguf/ggml-vocab-llama-spm.gguf.out"));
        QCOMPARE(cases.size(), size_t(46));
        QStringList failures;
        for (size_t i = 0; i < cases.size(); ++i) {
            const std::vector<int32_t> ids = tokenizer->encode(cases[i].input);
            if (ids != cases[i].ids)
                failures << QString("case %1 '%2': got [%3], llama.cpp [%4]")
                                .arg(i)
                                .arg(QString::fromStdString(cases[i].input))
                                .arg(idsText(ids), idsText(cases[i].ids));
            else if (decodeAll(*tokenizer, ids) != cases[i].input)
                failures << QString("case %1 does not decode back").arg(i);
        }
        QCOMPARE(failures, QStringList());
    }

    void llamaSpmSpecialTokensAndDecode() {
        BITLENS_REQUIRE_SHARED_DATA();
        const auto tokenizer = llamaSpmTokenizer();
        QCOMPARE(tokenizer->vocabSize(), size_t(32000));
        QCOMPARE(tokenizer->bos(), 1);
        QCOMPARE(tokenizer->eos(), 2);
        QCOMPARE(tokenizer->encode(""), std::vector<int32_t>{});
        // "▁Hello": the leading space goes at the start of text and after BOS only.
        QCOMPARE(tokenizer->decode(1, 15043), std::string("Hello"));
        QCOMPARE(tokenizer->decode(-1, 15043), std::string("Hello"));
        QCOMPARE(tokenizer->decode(15043, 15043), std::string(" Hello"));
        QCOMPARE(tokenizer->decode(15043, 13), std::string("\n")); // <0x0A>
        QCOMPARE(tokenizer->decode(15043, 2), std::string());      // </s> prints nothing
        // Control tokens in the text are text, not tokens (llama.cpp without parse_special).
        const std::vector<int32_t> markup = tokenizer->encode("<s>");
        QVERIFY(markup.size() > 1);
        QVERIFY(std::find(markup.begin(), markup.end(), 1) == markup.end());
        QVERIFY_THROWS_EXCEPTION(Error, tokenizer->decode(1, 32000));
        QVERIFY_THROWS_EXCEPTION(Error, tokenizer->decode(1, -1));
    }

    void llama2cTokenizerEncodesAndDecodes() {
        BITLENS_REQUIRE_SHARED_DATA();
        const auto model = openCheckpoint(sharedFile("llama2c/stories260K.bin"));
        const auto tokenizer = loadTokenizer(*model, sharedFile("llama2c/tok512.bin"));
        QCOMPARE(tokenizer->vocabSize(), size_t(512));
        QCOMPARE(tokenizer->bos(), 1);
        QCOMPARE(tokenizer->eos(), 2);
        // Ids from llama2.c's own encode (run.c's algorithm, worked out independently).
        const std::vector<int32_t> expected{403, 407, 261, 378, 432, 383, 286, 261,
                                            376, 298, 315, 421, 395, 317, 426};
        QCOMPARE(tokenizer->encode("Once upon a time, there was a little girl named Lily."),
                 expected);
        QCOMPARE(tokenizer->encode("Kitty smiled: \"Wow!\" \xc3\xa9"),
                 (std::vector<int32_t>{410, 462, 362, 422, 262, 423, 290, 266, 467, 313, 448, 327,
                                       443, 436, 410, 485}));
        QCOMPARE(tokenizer->decode(1, 403), std::string("Once"));
        QCOMPARE(tokenizer->decode(426, 403), std::string(" Once"));
        QCOMPARE(tokenizer->decode(0, 1), std::string()); // BOS, stored as "\n<s>\n"
        // Byte tokens are ids 3..258 for bytes 0..255.
        QCOMPARE(tokenizer->decode(403, 3 + 0x41), std::string("A"));
        QCOMPARE(tokenizer->decode(403, 3 + 0xe2) + tokenizer->decode(3 + 0xe2, 3 + 0x98) +
                     tokenizer->decode(3 + 0x98, 3 + 0x83),
                 std::string("\xe2\x98\x83"));
        // A character the vocabulary lacks falls back to its bytes.
        QCOMPARE(tokenizer->encode("\xe2\x98\x83"),
                 (std::vector<int32_t>{410, 3 + 0xe2, 3 + 0x98, 3 + 0x83}));

        // The evaluation text: a paragraph, then the whole file, decode back to themselves.
        const std::string stories = fileText(sharedFile("text/tinystories_val.txt"));
        const std::string paragraph = stories.substr(0, stories.find("\n\n"));
        QVERIFY(paragraph.size() > 100);
        const std::vector<int32_t> ids = tokenizer->encode(paragraph);
        QVERIFY(ids.size() > 20 && ids.size() < paragraph.size());
        QCOMPARE(decodeAll(*tokenizer, ids, tokenizer->bos()), paragraph);
        QVERIFY(stories.size() > 100000);
        const std::vector<int32_t> all = tokenizer->encode(stories);
        QVERIFY(all.size() > stories.size() / 8 && all.size() < stories.size() / 2);
        QCOMPARE(decodeAll(*tokenizer, all, tokenizer->bos()), stories);
    }

    void llama2cNeedsATokenizerFile() {
        BITLENS_REQUIRE_SHARED_DATA();
        const fs::path modelPath = sharedFile("llama2c/stories260K.bin");
        const auto model = openCheckpoint(modelPath);
        try {
            loadTokenizer(*model, {});
            QFAIL("a llama2.c model without tokenizer file was accepted");
        } catch (const FileError& error) {
            QCOMPARE(error.path(), modelPath);
            QVERIFY2(error.problem().find("tokenizer.bin") != std::string::npos, error.what());
        }
        // A tokenizer larger than the model's embedding is refused, naming the tokenizer.
        const fs::path gguf = sharedFile("gguf/ggml-vocab-llama-spm.gguf");
        try {
            loadTokenizer(*model, gguf);
            QFAIL("a 32000-token tokenizer was accepted for a 512-token model");
        } catch (const FileError& error) {
            QCOMPARE(error.path(), gguf);
            QVERIFY2(error.problem().find("512") != std::string::npos, error.what());
        }
    }

    void sentencePieceWithoutByteTokens() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const std::string space = "\xE2\x96\x81";
        const auto metadataWith = [&](bool spacePrefix) {
            Metadata metadata;
            metadata.emplace_back("tokenizer.ggml.model", GgufValue{std::string("llama")});
            metadata.emplace_back(
                "tokenizer.ggml.tokens",
                stringArray({"<unk>", "<s>", "</s>", space, "a", space + "a", "<tag>"}));
            metadata.emplace_back("tokenizer.ggml.scores", floatArray({0, 0, 0, -1, -2, -0.5, 0}));
            GgufArray types{GgufType::Int32, {}};
            for (const int32_t type : {2, 3, 3, 1, 1, 1, 4}) // <tag> is user-defined
                types.elements.push_back({type});
            metadata.emplace_back("tokenizer.ggml.token_type", GgufValue{std::move(types)});
            metadata.emplace_back("tokenizer.ggml.add_space_prefix", GgufValue{spacePrefix});
            return metadata;
        };
        const auto model = vocabularyGguf(dir, "small.gguf", metadataWith(true));
        const auto tokenizer = loadTokenizer(*model, {});
        QCOMPARE(tokenizer->bos(), 1);
        QCOMPARE(tokenizer->eos(), 2);
        // "▁a▁é": no byte tokens, so the unknown token stands for "é".
        QCOMPARE(tokenizer->encode("a \xc3\xa9"), (std::vector<int32_t>{5, 3, 0}));
        // User-defined tokens are cut out first; each run of text gets its own space prefix.
        QCOMPARE(tokenizer->encode("a<tag>a"), (std::vector<int32_t>{5, 6, 5}));
        QCOMPARE(tokenizer->decode(5, 6), std::string("<tag>"));
        QCOMPARE(tokenizer->decode(6, 5), std::string(" a"));

        const auto noPrefix =
            loadTokenizer(*vocabularyGguf(dir, "raw.gguf", metadataWith(false)), {});
        QCOMPARE(noPrefix->encode("a a"), (std::vector<int32_t>{4, 5}));
        QCOMPARE(noPrefix->decode(-1, 5), std::string(" a"));
    }

    void badGgufVocabulary_data() {
        QTest::addColumn<QString>("problem");
        QTest::addColumn<QString>("expected");
        QTest::newRow("no tokens") << "no tokens"
                                   << "tokenizer.ggml.tokens";
        QTest::newRow("score count") << "score count"
                                     << "tokenizer.ggml.scores";
        QTest::newRow("bos outside") << "bos outside"
                                     << "tokenizer.ggml.bos_token_id";
        QTest::newRow("unsupported model") << "unsupported model"
                                           << "'bert'";
        QTest::newRow("no model") << "no model"
                                  << "tokenizer.ggml.model";
        QTest::newRow("token type") << "token type"
                                    << "tokenizer.ggml.token_type";
    }

    void badGgufVocabulary() {
        QFETCH(QString, problem);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        Metadata metadata;
        metadata.emplace_back("general.architecture", GgufValue{std::string("llama")});
        if (problem != "no model")
            metadata.emplace_back(
                "tokenizer.ggml.model",
                GgufValue{std::string(problem == "unsupported model" ? "bert" : "llama")});
        if (problem != "no tokens")
            metadata.emplace_back("tokenizer.ggml.tokens", stringArray({"<unk>", "<s>", "a"}));
        metadata.emplace_back("tokenizer.ggml.scores", problem == "score count"
                                                           ? floatArray({0, 0})
                                                           : floatArray({0, 0, -1}));
        if (problem == "bos outside")
            metadata.emplace_back("tokenizer.ggml.bos_token_id", GgufValue{uint32_t(3)});
        if (problem == "token type")
            metadata.emplace_back(
                "tokenizer.ggml.token_type",
                GgufValue{GgufArray{GgufType::Int32, {{int32_t(2)}, {int32_t(3)}, {int32_t(9)}}}});
        const auto model = vocabularyGguf(dir, "vocab.gguf", std::move(metadata));
        try {
            loadTokenizer(*model, {});
            QFAIL("a broken GGUF vocabulary was accepted");
        } catch (const FileError& error) {
            QCOMPARE(error.path(), model->source());
            QVERIFY2(QString::fromStdString(error.problem()).contains(expected), error.what());
        }
    }
};

QTEST_GUILESS_MAIN(TestTokenizer)
#include "tst_tokenizer.moc"

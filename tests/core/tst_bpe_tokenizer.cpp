// SPDX-License-Identifier: MIT
#include "common/SafetensorsFile.h"
#include "core/io/CheckpointReader.h"
#include "core/io/GgufWriter.h"
#include "core/text/BpeTokenizer.h"
#include "core/text/PreTokenizer.h"
#include "core/text/TokenizerFactory.h"
#include "core/util/Error.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace bitlens;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const std::string kSpace = "\xE2\x96\x81"; // U+2581
constexpr const char* kLlama3Regex =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

fs::path pathIn(const QTemporaryDir& dir, const std::string& name) {
    return fs::path(dir.path().toStdString()) / name;
}

bool writeText(const fs::path& path, const std::string& text) {
    QFile file(QString::fromStdString(path.string()));
    return file.open(QIODevice::WriteOnly) &&
           file.write(text.data(), qint64(text.size())) == qint64(text.size());
}

std::string decodeAll(const Tokenizer& tokenizer, const std::vector<int32_t>& ids) {
    std::string text;
    int32_t previous = -1;
    for (const int32_t id : ids) {
        text += tokenizer.decode(previous, id);
        previous = id;
    }
    return text;
}

// A byte-level vocabulary worked out by hand: ids 0..255 are the GPT-2 characters of bytes
// 0..255, then the results of the merges below in rank order, then "Ġxyz" (no merge makes it),
// a control token and a user-defined one.
//   "hello" -> h e l l o -> (h e) he l l o -> (l l) he ll o -> (he ll) hell o -> hello
//   " world" -> Ġ w o r l d -> (Ġ w) Ġw o r l d -> (o r) Ġw or l d -> (Ġw or) Ġwor l d
const std::vector<std::pair<std::string, std::string>> kMerges = {
    {"h", "e"},    {"l", "l"}, {"l", "o"}, {"he", "ll"},
    {"hell", "o"}, {"Ġ", "w"}, {"o", "r"}, {"Ġw", "or"}};
constexpr int32_t kHello = 260, kSpaceWor = 263, kSpaceXyz = 264, kEndOfTurn = 265, kTag = 266;

std::vector<std::string> byteLevelTokens() {
    std::vector<std::string> tokens;
    for (int byte = 0; byte < 256; ++byte)
        tokens.push_back(byteLevelCharacter(uint8_t(byte)));
    for (const auto& [left, right] : kMerges)
        tokens.push_back(left + right);
    tokens.insert(tokens.end(), {"Ġxyz", "<|eot|>", "<tag>"});
    return tokens;
}

GgufValue stringArray(const std::vector<std::string>& texts) {
    GgufArray array{GgufType::String, {}};
    for (const std::string& text : texts)
        array.elements.push_back({text});
    return {std::move(array)};
}

enum class GgufFlaw { None, NoMerges, MissingByte, BadMerge };

std::unique_ptr<Checkpoint> byteLevelGguf(const QTemporaryDir& dir, const std::string& pre,
                                          GgufFlaw flaw = GgufFlaw::None) {
    std::vector<std::string> tokens = byteLevelTokens();
    if (flaw == GgufFlaw::MissingByte)
        tokens[0] = "Ā-renamed";
    GgufArray types{GgufType::Int32, {}};
    for (size_t id = 0; id < tokens.size(); ++id)
        types.elements.push_back({int32_t(id == kEndOfTurn ? 3
                                          : id == kTag     ? 4
                                                           : 1)}); // control, user-defined
    std::vector<std::string> merges;
    for (const auto& [left, right] : kMerges)
        merges.push_back(left + " " + right);
    if (flaw == GgufFlaw::BadMerge)
        merges.push_back("lonely");
    GgufWriter writer;
    writer.addMetadata("general.architecture", {std::string("llama")});
    writer.addMetadata("tokenizer.ggml.model", {std::string("gpt2")});
    writer.addMetadata("tokenizer.ggml.pre", {pre});
    writer.addMetadata("tokenizer.ggml.tokens", stringArray(tokens));
    writer.addMetadata("tokenizer.ggml.token_type", {std::move(types)});
    if (flaw != GgufFlaw::NoMerges)
        writer.addMetadata("tokenizer.ggml.merges", stringArray(merges));
    writer.addMetadata("tokenizer.ggml.bos_token_id", {uint32_t(kEndOfTurn)});
    writer.addMetadata("tokenizer.ggml.eos_token_id", {uint32_t(kEndOfTurn)});
    const fs::path path = pathIn(dir, "vocab-" + pre + ".gguf");
    writer.write(path);
    return openCheckpoint(path);
}

json byteLevelJson(bool mergesAsPairs, bool nfc) {
    const std::vector<std::string> tokens = byteLevelTokens();
    json vocab = json::object();
    for (size_t id = 0; id < kEndOfTurn; ++id)
        vocab[tokens[id]] = id;
    json merges = json::array();
    for (const auto& [left, right] : kMerges)
        merges.push_back(mergesAsPairs ? json::array({left, right}) : json(left + " " + right));
    return {{"version", "1.0"},
            {"added_tokens",
             {{{"id", kEndOfTurn}, {"content", "<|eot|>"}, {"special", true}},
              {{"id", kTag}, {"content", "<tag>"}, {"special", false}}}},
            {"normalizer", nfc ? json{{"type", "NFC"}} : json()},
            {"pre_tokenizer",
             {{"type", "Sequence"},
              {"pretokenizers",
               {{{"type", "Split"},
                 {"pattern", {{"Regex", kLlama3Regex}}},
                 {"behavior", "Isolated"},
                 {"invert", false}},
                {{"type", "ByteLevel"},
                 {"add_prefix_space", false},
                 {"trim_offsets", true},
                 {"use_regex", false}}}}}},
            {"model",
             {{"type", "BPE"},
              {"dropout", nullptr},
              {"unk_token", nullptr},
              {"byte_fallback", false},
              {"ignore_merges", true},
              {"vocab", vocab},
              {"merges", merges}}}};
}

// A Llama 2 style vocabulary: <unk> <s> </s>, byte tokens 3..258, then "▁" "a" "b" "▁a" "ab"
// "▁ab". Merges by rank: (▁ a), (▁a b), (a b), so "▁ab" is reached through "▁a", and "ab" alone
// only where no "▁" precedes it.
constexpr int32_t kMarker = 259, kA = 260, kB = 261, kMarkerAb = 264, kAb = 263;

json sentencePieceTokenizerJson(bool metaspace) {
    json vocab = {{"<unk>", 0}, {"<s>", 1}, {"</s>", 2}};
    for (int byte = 0; byte < 256; ++byte) {
        char name[8];
        std::snprintf(name, sizeof name, "<0x%02X>", byte);
        vocab[name] = 3 + byte;
    }
    for (const std::string& text : {kSpace, std::string("a"), std::string("b"), kSpace + "a",
                                    std::string("ab"), kSpace + "ab"})
        vocab[text] = vocab.size();
    json normalizer = {
        {"type", "Sequence"},
        {"normalizers",
         {{{"type", "Prepend"}, {"prepend", kSpace}},
          {{"type", "Replace"}, {"pattern", {{"String", " "}}}, {"content", kSpace}}}}};
    json preTokenizer = {{"type", "Metaspace"},
                         {"replacement", kSpace},
                         {"prepend_scheme", "first"},
                         {"split", false}};
    json added = json::array();
    for (int id = 0; id < 3; ++id)
        added.push_back({{"id", id},
                         {"content", id == 0   ? "<unk>"
                                     : id == 1 ? "<s>"
                                               : "</s>"},
                         {"special", true}});
    return {{"added_tokens", added},
            {"normalizer", metaspace ? json() : normalizer},
            {"pre_tokenizer", metaspace ? preTokenizer : json()},
            {"model",
             {{"type", "BPE"},
              {"unk_token", "<unk>"},
              {"byte_fallback", true},
              {"vocab", vocab},
              {"merges", {kSpace + " a", kSpace + "a b", "a b"}}}}};
}

// A Hugging Face folder: config.json, one safetensors file and tokenizer.json.
std::unique_ptr<Checkpoint> huggingFaceFolder(const QTemporaryDir& dir, const json& tokenizer,
                                              const json& config) {
    const fs::path folder = pathIn(dir, "hf");
    fs::create_directories(folder);
    if (!test::writeSafetensors(QString::fromStdString((folder / "model.safetensors").string()),
                                {{"model.embed_tokens.weight", "F32", {4, 2}}}) ||
        !writeText(folder / "config.json", config.dump()) ||
        !writeText(folder / "tokenizer.json", tokenizer.dump()))
        return nullptr;
    return openCheckpoint(folder);
}

} // namespace

class TestBpeTokenizer : public QObject {
    Q_OBJECT
private slots:
    void preTokenizerSplits_data() {
        QTest::addColumn<int>("pattern");
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("words");
        const int gpt2 = int(PreTokenizer::Gpt2), llama3 = int(PreTokenizer::Llama3),
                  qwen2 = int(PreTokenizer::Qwen2);
        QTest::newRow("gpt2 contractions") << gpt2 << "I've been 'told"
                                           << "I|'ve| been| '|told";
        QTest::newRow("gpt2 contraction case") << gpt2 << "He'S"
                                               << "He|'|S";
        QTest::newRow("gpt2 numbers") << gpt2 << "abc 12345 x"
                                      << "abc| 12345| x";
        QTest::newRow("gpt2 spaces") << gpt2 << "a   b  "
                                     << "a|  | b|  ";
        QTest::newRow("gpt2 non-ascii") << gpt2 << "привет мир 東京"
                                        << "привет| мир| 東京";
        QTest::newRow("llama3 contraction case") << llama3 << "He'S I'LL"
                                                 << "He|'S| I|'LL";
        QTest::newRow("llama3 numbers") << llama3 << "12345 3.14"
                                        << "123|45| |3|.|14";
        QTest::newRow("qwen2 numbers") << qwen2 << "12345"
                                       << "1|2|3|4|5";
        QTest::newRow("llama3 punctuation and newlines") << llama3 << "Hello, wörld!\n\nOK"
                                                         << "Hello|,| wörld|!\n\n|OK";
        QTest::newRow("llama3 whitespace runs") << llama3 << "a \n\n  b"
                                                << "a| \n\n| | b";
        QTest::newRow("llama3 prefix character") << llama3 << "(über)"
                                                 << "(über|)";
    }

    void preTokenizerSplits() {
        QFETCH(int, pattern);
        QFETCH(QString, text);
        QFETCH(QString, words);
        const std::string utf8 = text.toStdString();
        QStringList got;
        for (const std::string_view word : splitWords(utf8, PreTokenizer(pattern)))
            got << QString::fromStdString(std::string(word));
        QCOMPARE(got.join('|'), words);
    }

    void byteLevelGgufEncodes() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const auto model = byteLevelGguf(dir, "llama-bpe");
        const auto tokenizer = loadTokenizer(*model, {});
        QCOMPARE(tokenizer->vocabSize(), size_t(267));
        QCOMPARE(tokenizer->bos(), kEndOfTurn);
        QCOMPARE(tokenizer->encode("hello world"),
                 (std::vector<int32_t>{kHello, kSpaceWor, 'l', 'd'}));
        // Lower rank first: (l l) before (l o).
        QCOMPARE(tokenizer->encode("llo"), (std::vector<int32_t>{257, 'o'}));
        QCOMPARE(tokenizer->encode("lol"), (std::vector<int32_t>{258, 'l'}));
        // llama-bpe keeps a word that is a token whole (ignore_merges).
        QCOMPARE(tokenizer->encode(" xyz"), std::vector<int32_t>{kSpaceXyz});
        // User-defined tokens are cut out first; control tokens are text.
        QCOMPARE(tokenizer->encode("hello<tag>hello"),
                 (std::vector<int32_t>{kHello, kTag, kHello}));
        QVERIFY(tokenizer->encode("<|eot|>").size() > 1);
        // Bytes outside the printable range and multi-byte characters.
        QCOMPARE(tokenizer->encode("\xc3\xa9\n"), (std::vector<int32_t>{0xc3, 0xa9, '\n'}));
        QCOMPARE(tokenizer->decode(-1, kSpaceWor), std::string(" wor"));
        QCOMPARE(tokenizer->decode(kSpaceWor, kEndOfTurn), std::string());
        QCOMPARE(tokenizer->decode(kSpaceWor, kTag), std::string("<tag>"));
        const std::string text = "hello world, 3 ünïcode\tbytes\n é<tag>";
        QCOMPARE(decodeAll(*tokenizer, tokenizer->encode(text)), text);

        // The GPT-2 pre-tokenizer runs the merges on " xyz" as well.
        const auto gpt2 = loadTokenizer(*byteLevelGguf(dir, "gpt-2"), {});
        QCOMPARE(gpt2->encode(" xyz"), (std::vector<int32_t>{' ', 'x', 'y', 'z'}));
    }

    void byteLevelGgufRefusals_data() {
        QTest::addColumn<QString>("pre");
        QTest::addColumn<int>("flaw");
        QTest::addColumn<QString>("expected");
        QTest::newRow("unknown pre-tokenizer") << "falcon" << int(GgufFlaw::None) << "'falcon'";
        QTest::newRow("no merges") << "qwen2" << int(GgufFlaw::NoMerges) << "tokenizer.ggml.merges";
        QTest::newRow("bad merge") << "qwen2" << int(GgufFlaw::BadMerge) << "'lonely'";
        QTest::newRow("missing byte") << "qwen2" << int(GgufFlaw::MissingByte) << "byte 0";
    }

    void byteLevelGgufRefusals() {
        QFETCH(QString, pre);
        QFETCH(int, flaw);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const auto model = byteLevelGguf(dir, pre.toStdString(), GgufFlaw(flaw));
        try {
            loadTokenizer(*model, {});
            QFAIL("a broken byte-level vocabulary was accepted");
        } catch (const FileError& error) {
            QCOMPARE(error.path(), model->source());
            QVERIFY2(QString::fromStdString(error.problem()).contains(expected), error.what());
        }
    }

    void byteLevelTokenizerJson_data() {
        QTest::addColumn<bool>("mergesAsPairs");
        QTest::newRow("merges as strings") << false;
        QTest::newRow("merges as pairs") << true;
    }

    void byteLevelTokenizerJson() {
        QFETCH(bool, mergesAsPairs);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const auto model = huggingFaceFolder(dir, byteLevelJson(mergesAsPairs, false),
                                             {{"architectures", {"LlamaForCausalLM"}},
                                              {"vocab_size", 300},
                                              {"bos_token_id", kEndOfTurn},
                                              {"eos_token_id", {kTag, kEndOfTurn}}});
        QVERIFY(model);
        const auto tokenizer = loadTokenizer(*model, {});
        QCOMPARE(tokenizer->vocabSize(), size_t(267));
        QCOMPARE(tokenizer->bos(), kEndOfTurn);
        QCOMPARE(tokenizer->eos(), kTag);
        // Hugging Face matches every added token, special ones included.
        QCOMPARE(tokenizer->encode("hello<|eot|> world"),
                 (std::vector<int32_t>{kHello, kEndOfTurn, kSpaceWor, 'l', 'd'}));
        QCOMPARE(tokenizer->encode(" xyz"), std::vector<int32_t>{kSpaceXyz}); // ignore_merges
        QCOMPARE(tokenizer->encode("12345"), (std::vector<int32_t>{'1', '2', '3', '4', '5'}));
    }

    void normalizesToNfc() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const fs::path plain = pathIn(dir, "plain.json"), nfc = pathIn(dir, "nfc.json");
        QVERIFY(writeText(plain, byteLevelJson(false, false).dump()));
        QVERIFY(writeText(nfc, byteLevelJson(false, true).dump()));
        const auto model = byteLevelGguf(dir, "llama-bpe"); // only its vocab_size matters here
        const std::string decomposed = "e\xcc\x81";         // e + COMBINING ACUTE ACCENT
        QCOMPARE(loadTokenizer(*model, plain)->encode(decomposed),
                 (std::vector<int32_t>{'e', 0xcc, 0x81}));
        QCOMPARE(loadTokenizer(*model, nfc)->encode(decomposed),
                 (std::vector<int32_t>{0xc3, 0xa9})); // U+00E9
    }

    void sentencePieceStyleTokenizerJson() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const auto model =
            huggingFaceFolder(dir, sentencePieceTokenizerJson(false),
                              {{"architectures", {"LlamaForCausalLM"}}, {"vocab_size", 265}});
        QVERIFY(model);
        QVERIFY(writeText(pathIn(dir, "hf/tokenizer_config.json"),
                          json{{"bos_token", "<s>"}, {"eos_token", {{"content", "</s>"}}}}.dump()));
        const auto tokenizer = loadTokenizer(*model, {});
        QCOMPARE(tokenizer->bos(), 1);
        QCOMPARE(tokenizer->eos(), 2);
        QCOMPARE(tokenizer->encode("ab ab"), (std::vector<int32_t>{kMarkerAb, kMarkerAb}));
        QCOMPARE(tokenizer->encode("ba"), (std::vector<int32_t>{kMarker, kB, kA}));
        // Byte fallback for a character the vocabulary lacks.
        QCOMPARE(tokenizer->encode("\xc3\xa9"),
                 (std::vector<int32_t>{kMarker, 3 + 0xc3, 3 + 0xa9}));
        // The Prepend normalizer puts U+2581 before every run of text, after <s> too.
        QCOMPARE(tokenizer->encode("<s>ab"), (std::vector<int32_t>{1, kMarkerAb}));
        QCOMPARE(tokenizer->decode(1, kMarkerAb), std::string("ab"));
        QCOMPARE(tokenizer->decode(kMarkerAb, kMarkerAb), std::string(" ab"));
        QCOMPARE(tokenizer->decode(kMarkerAb, 3 + 'A'), std::string("A"));
        QCOMPARE(decodeAll(*tokenizer, tokenizer->encode("ab ba \xc3\xa9")),
                 std::string("ab ba \xc3\xa9"));

        // Metaspace with prepend_scheme "first": no U+2581 after a leading added token.
        const fs::path metaspace = pathIn(dir, "metaspace.json");
        QVERIFY(writeText(metaspace, sentencePieceTokenizerJson(true).dump()));
        const auto first = loadTokenizer(*model, metaspace);
        QCOMPARE(first->encode("ab ab"), (std::vector<int32_t>{kMarkerAb, kMarkerAb}));
        QCOMPARE(first->encode("<s>ab"), (std::vector<int32_t>{1, kAb}));
    }

    void badTokenizerJson_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("expected");
        json unigram = sentencePieceTokenizerJson(false);
        unigram["model"]["type"] = "Unigram";
        json noVocab = sentencePieceTokenizerJson(false);
        noVocab["model"].erase("vocab");
        json hole = sentencePieceTokenizerJson(false);
        hole["model"]["vocab"].erase("b");
        json clash = sentencePieceTokenizerJson(false);
        clash["added_tokens"][0]["content"] = "<nothing>";
        json whitespace = byteLevelJson(false, false);
        whitespace["pre_tokenizer"] = {{"type", "Whitespace"}};
        json regex = byteLevelJson(false, false);
        regex["pre_tokenizer"]["pretokenizers"][0]["pattern"]["Regex"] = "\\w+";
        json behavior = byteLevelJson(false, false);
        behavior["pre_tokenizer"]["pretokenizers"][0]["behavior"] = 5;
        json badMerge = byteLevelJson(false, false);
        badMerge["model"]["merges"].push_back(42);
        QTest::newRow("malformed") << "{\"model\": {\"type\": "
                                   << "tokenizer.json";
        QTest::newRow("not BPE") << QString::fromStdString(unigram.dump()) << "'Unigram'";
        QTest::newRow("no vocab") << QString::fromStdString(noVocab.dump()) << "\"vocab\"";
        QTest::newRow("id hole") << QString::fromStdString(hole.dump()) << "token id 261";
        QTest::newRow("id clash") << QString::fromStdString(clash.dump()) << "'<nothing>'";
        QTest::newRow("pre-tokenizer")
            << QString::fromStdString(whitespace.dump()) << "'Whitespace'";
        QTest::newRow("split regex") << QString::fromStdString(regex.dump()) << "Split";
        QTest::newRow("json type")
            << QString::fromStdString(behavior.dump()) << "unexpected tokenizer.json structure";
        QTest::newRow("merge") << QString::fromStdString(badMerge.dump()) << "model.merges[8]";
    }

    void badTokenizerJson() {
        QFETCH(QString, text);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const fs::path path = pathIn(dir, "tokenizer.json");
        QVERIFY(writeText(path, text.toStdString()));
        const auto model = byteLevelGguf(dir, "llama-bpe");
        try {
            loadTokenizer(*model, path);
            QFAIL("a broken tokenizer.json was accepted");
        } catch (const FileError& error) {
            QCOMPARE(error.path(), path);
            QVERIFY2(QString::fromStdString(error.problem()).contains(expected), error.what());
        }
    }

    void huggingFaceFolderWithoutTokenizer() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const auto model = huggingFaceFolder(dir, json::object(), {{"vocab_size", 4}});
        QVERIFY(model);
        QVERIFY(fs::remove(pathIn(dir, "hf/tokenizer.json")));
        try {
            loadTokenizer(*model, {});
            QFAIL("a folder without tokenizer.json was accepted");
        } catch (const FileError& error) {
            QCOMPARE(error.path(), model->source());
            QVERIFY2(error.problem().find("tokenizer.json") != std::string::npos, error.what());
        }
    }
};

QTEST_GUILESS_MAIN(TestBpeTokenizer)
#include "tst_bpe_tokenizer.moc"

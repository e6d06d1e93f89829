// SPDX-License-Identifier: MIT
// A GGUF llama file whose weights are stored in ggml block types, as llama.cpp's files are:
// evaluated, described and quantized by the CLI.
#include "common/CliRun.h"
#include "common/TestData.h"
#include "core/io/CheckpointReader.h"
#include "core/io/GgufWriter.h"
#include "core/io/Llama2cTokenizer.h"
#include "core/quant/GgmlFormat.h"
#include "core/text/TokenTable.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>
#include <nlohmann/json.hpp>

using namespace bitlens;
using bitlens::test::Run;
using bitlens::test::run;
using nlohmann::json;

namespace {

std::string shared(const char* relative) {
    return test::sharedDataPath(relative).toStdString();
}

std::string replaceAll(std::string text, const std::string& from, const std::string& to) {
    for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
        text.replace(at, from.size(), to);
    return text;
}

// tok512.bin as llama.cpp's SentencePiece vocabulary keys: spaces as U+2581, llama2.c's
// "\n<s>\n" / "\n</s>\n" as <s> / </s>, llama.cpp's token type numbers.
void addStoriesTokenizer(GgufWriter& writer, uint64_t vocabSize) {
    const Vocabulary vocabulary = readLlama2cTokenizer(shared("llama2c/tok512.bin"), vocabSize);
    GgufArray tokens{GgufType::String, {}};
    GgufArray scores{GgufType::Float32, {}};
    GgufArray types{GgufType::Int32, {}};
    for (size_t id = 0; id < vocabulary.size(); ++id) {
        std::string token = replaceAll(vocabulary.tokens[id], " ", "\xe2\x96\x81");
        TokenType type = inferredTokenType(token);
        if (id == 1 || id == 2) {
            token = id == 1 ? "<s>" : "</s>";
            type = TokenType::Control;
        }
        const int32_t ggufType = type == TokenType::Unknown   ? 2
                                 : type == TokenType::Control ? 3
                                 : type == TokenType::Byte    ? 6
                                                              : 1;
        tokens.elements.push_back({token});
        scores.elements.push_back({vocabulary.scores[id]});
        types.elements.push_back({ggufType});
    }
    writer.addMetadata("tokenizer.ggml.model", {std::string("llama")});
    writer.addMetadata("tokenizer.ggml.tokens", {std::move(tokens)});
    writer.addMetadata("tokenizer.ggml.scores", {std::move(scores)});
    writer.addMetadata("tokenizer.ggml.token_type", {std::move(types)});
    writer.addMetadata("tokenizer.ggml.bos_token_id", {uint32_t(1)});
    writer.addMetadata("tokenizer.ggml.eos_token_id", {uint32_t(2)});
    writer.addMetadata("tokenizer.ggml.unknown_token_id", {uint32_t(0)});
}

// stories260K.bin as a GGUF llama file with its tokenizer embedded. Each tensor of two dimensions
// is stored in the first of `blockTypes` whose block divides its rows, quantized by the reference
// encoder (ggml's quantize_row_*_ref); the others stay F32, as llama.cpp keeps tensors that no
// block type fits.
void writeStoriesGguf(const std::string& path, const std::vector<DType>& blockTypes) {
    const auto source = openCheckpoint(shared("llama2c/stories260K.bin"));
    const json& model = source->model();
    GgufWriter writer;
    writer.addMetadata("general.architecture", {std::string("llama")});
    writer.addMetadata("llama.context_length", {model["seq_len"].get<uint32_t>()});
    writer.addMetadata("llama.embedding_length", {model["dim"].get<uint32_t>()});
    writer.addMetadata("llama.block_count", {model["n_layers"].get<uint32_t>()});
    writer.addMetadata("llama.feed_forward_length", {model["hidden_dim"].get<uint32_t>()});
    writer.addMetadata("llama.attention.head_count", {model["n_heads"].get<uint32_t>()});
    writer.addMetadata("llama.attention.head_count_kv", {model["n_kv_heads"].get<uint32_t>()});
    writer.addMetadata("llama.attention.layer_norm_rms_epsilon", {1e-5f});
    writer.addMetadata("llama.rope.freq_base", {10000.0f});
    addStoriesTokenizer(writer, model["vocab_size"].get<uint64_t>());
    for (size_t index = 0; index < source->tensors().size(); ++index) {
        const TensorInfo& tensor = source->tensors()[index];
        std::vector<float> values(tensor.elementCount());
        source->readFloats(index, 0, values.size(), values.data());
        TensorPayload payload{tensor.name, tensor.shape, DType::F32,
                              std::vector<std::byte>(values.size() * sizeof(float))};
        std::memcpy(payload.bytes.data(), values.data(), payload.bytes.size());
        const MatrixShape shape = quantizationShape(tensor);
        for (const DType type : blockTypes) {
            const auto format = formatForGgmlType(type);
            if (tensor.shape.size() < 2 || !format->unsupportedReason(shape.rowLength).empty())
                continue;
            payload.dtype = type;
            payload.bytes.assign(format->packedBytes(shape), std::byte{0});
            format->quantize(values, shape, payload.bytes);
            break;
        }
        writer.addTensor(std::move(payload));
    }
    writer.write(path);
}

// `eval MODEL --text tinystories_val.txt --chunks 2 --json` on the CPU reference, plus `extra`.
json evaluate(const std::string& model, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {
        "eval",     model, "--text", shared("text/tinystories_val.txt"), "--chunks", "2",
        "--device", "cpu", "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    const Run result = run(args);
    if (result.status != 0)
        qWarning("%s", result.err.c_str());
    return result.status == 0 ? json::parse(result.out) : json();
}

// The stories260K.bin evaluation with tok512.bin, plus `extra`.
json evaluateLlama2c(std::vector<std::string> extra = {}) {
    extra.insert(extra.begin(), {"--tokenizer", shared("llama2c/tok512.bin")});
    return evaluate(shared("llama2c/stories260K.bin"), std::move(extra));
}

double ppl(const json& report, const char* side) {
    return report.at(side).at("ppl").get<double>();
}

json info(const std::string& path) {
    const Run result = run({"info", path, "--json"});
    return result.status == 0 ? json::parse(result.out) : json();
}

} // namespace

class TestGgufBlockEval : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        BITLENS_REQUIRE_SHARED_DATA();
        QVERIFY(dir_.isValid());
        writeStoriesGguf(path("f32.gguf"), {});
        writeStoriesGguf(path("q8_0.gguf"), {DType::Q8_0});
        // llama.cpp's Q4_K falls back to Q5_0 for rows that are not whole super-blocks.
        writeStoriesGguf(path("q4_k.gguf"), {DType::Q4_K, DType::Q5_0});
    }

    // The F32 GGUF with its embedded vocabulary is the same model as stories260K.bin with
    // tok512.bin: the baseline the block files are compared with.
    void floatGgufMatchesLlama2c() {
        const json gguf = evaluate(path("f32.gguf"));
        const json llama2c = evaluateLlama2c();
        QCOMPARE(gguf.at("tokens").get<uint64_t>(), llama2c.at("tokens").get<uint64_t>());
        QVERIFY2(ppl(gguf, "original") == ppl(llama2c, "original"), gguf.dump().c_str());
    }

    // Evaluating Q8_0 blocks as stored gives exactly the perplexity of quantizing the float model
    // to q8_0 on the fly: the same encoder wrote them and the same decoder reads them.
    void q8GgufEqualsFloatModelWithQ8Format() {
        const json stored = evaluate(path("q8_0.gguf"));
        const json onTheFly = evaluateLlama2c({"--format", "q8_0"});
        qInfo("stories260K, 2 chunks: F32 %.6f, q8_0 on the fly %.6f, Q8_0 GGUF %.6f",
              ppl(onTheFly, "original"), ppl(onTheFly, "quantized"), ppl(stored, "original"));
        QVERIFY2(ppl(stored, "original") == ppl(onTheFly, "quantized"), stored.dump().c_str());
        QVERIFY(ppl(stored, "original") != ppl(onTheFly, "original"));
        QVERIFY(stored.at("original").at("ppl_err") == onTheFly.at("quantized").at("ppl_err"));

        const json fromGguf = evaluate(path("f32.gguf"), {"--format", "q8_0"});
        QVERIFY(ppl(fromGguf, "quantized") == ppl(stored, "original"));
    }

    // stories260K's rows (64 and 172 values) are no whole Q4_K super-block, so this file holds
    // the Q5_0 fallback and F32, like the recipe q4_k with fallback q5_0.
    void q4kGgufEqualsRecipeWithFallback() {
        const std::string recipe = path("q4k.json");
        QFile file(QString::fromStdString(recipe));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(R"({"version": 1, "default": "q4_k", "fallback": "q5_0"})");
        file.close();
        const json stored = evaluate(path("q4_k.gguf"));
        const json onTheFly = evaluateLlama2c({"--recipe", recipe});
        qInfo("stories260K, 2 chunks: q4_k/q5_0 recipe %.6f, Q5_0 GGUF %.6f",
              ppl(onTheFly, "quantized"), ppl(stored, "original"));
        QVERIFY2(ppl(stored, "original") == ppl(onTheFly, "quantized"), stored.dump().c_str());

        const json description = info(path("q4_k.gguf"));
        size_t q5 = 0;
        for (const json& tensor : description.at("tensors"))
            q5 += tensor.at("dtype") == "Q5_0";
        QCOMPARE(q5, size_t(31)); // embedding + q, k, v, output, gate, up of 5 layers
    }

    // info says which tensors are stored quantized, and their sizes are the packed sizes.
    void infoShowsStoredBlocks() {
        const json description = info(path("q8_0.gguf"));
        uint64_t quantized = 0, bytes = 0;
        for (const json& tensor : description.at("tensors")) {
            const std::string name = tensor.at("name");
            const uint64_t params = tensor.at("params");
            bytes += tensor.at("bytes").get<uint64_t>();
            if (tensor.at("dtype") == "Q8_0") {
                ++quantized;
                QCOMPARE(tensor.at("quantized").get<bool>(), true);
                QCOMPARE(tensor.at("decodable").get<bool>(), true);
                QCOMPARE(tensor.at("bytes").get<uint64_t>(), params / 32 * 34);
                QCOMPARE(tensor.at("bpw").get<double>(), 8.5);
            } else {
                QCOMPARE(tensor.at("dtype").get<std::string>(), std::string("F32"));
                QCOMPARE(tensor.at("quantized").get<bool>(), false);
                QCOMPARE(tensor.at("bpw").get<double>(), 32.0);
                QVERIFY2(name.find("norm") != std::string::npos ||
                             name.find("ffn_down") != std::string::npos,
                         name.c_str());
            }
        }
        QCOMPARE(quantized, uint64_t(31));
        QCOMPARE(description.at("totals").at("bytes").get<uint64_t>(), bytes);
        const json embedding = description.at("tensors").at(0);
        QCOMPARE(embedding.at("name").get<std::string>(), std::string("token_embd.weight"));
        QCOMPARE(embedding.at("bytes").get<uint64_t>(), uint64_t(512 * 64 / 32 * 34));

        const Run text = run({"info", path("q8_0.gguf")});
        QCOMPARE(text.status, 0);
        QVERIFY2(
            text.out.find("token_embd.weight         [512, 64]  Q8_0 (quantized)   32768  34816") !=
                std::string::npos,
            text.out.c_str());
    }

    // quantize reads the stored blocks decoded and reports sizes against the stored (packed) ones.
    void quantizeStoredBlocks() {
        const Run result = run({"quantize", path("q8_0.gguf"), "--format", "q4_0", "--json"});
        QVERIFY2(result.status == 0, result.err.c_str());
        const json report = json::parse(result.out);
        const json description = info(path("q8_0.gguf"));
        QCOMPARE(report.at("tensors").size(), description.at("tensors").size());
        size_t quantized = 0;
        for (size_t i = 0; i < report.at("tensors").size(); ++i) {
            const json& tensor = report.at("tensors")[i];
            const json& stored = description.at("tensors")[i];
            QCOMPARE(tensor.at("bytes_before").get<uint64_t>(), stored.at("bytes").get<uint64_t>());
            if (tensor.at("format") == "q4_0") {
                ++quantized;
                QCOMPARE(stored.at("dtype").get<std::string>(), std::string("Q8_0"));
                const double relative = tensor.at("rel_rmse");
                QVERIFY(relative > 0.01 && relative < 0.2);
            }
        }
        QCOMPARE(quantized, size_t(31));
        QCOMPARE(report.at("totals").at("bytes_before").get<uint64_t>(),
                 description.at("totals").at("bytes").get<uint64_t>());
    }

private:
    std::string path(const char* name) const {
        return dir_.filePath(QString::fromLatin1(name)).toStdString();
    }

    QTemporaryDir dir_;
};

QTEST_GUILESS_MAIN(TestGgufBlockEval)
#include "tst_gguf_block_eval.moc"

// SPDX-License-Identifier: MIT
// Broken llama2.c checkpoints and tokenizers and broken HDF5/Keras files: each must give a
// FileError whose message names the problem, never a crash, a hang or a silent success.
#include "common/Hdf5TestWriter.h"
#include "common/TestData.h"
#include "core/io/CheckpointReader.h"
#include "core/io/Llama2cReader.h"
#include "core/io/Llama2cTokenizer.h"
#include "core/util/Error.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>
#include <cmath>
#include <cstring>
#include <functional>

using namespace bitlens;
using bitlens::test::Hdf5TestWriter;

namespace {

// How a row's file is opened.
enum class Opener { Checkpoint, Llama2cReader, Tokenizer512 };

QByteArray sharedBytes(const char* relative) {
    QFile file(bitlens::test::sharedDataPath(QString::fromLatin1(relative)));
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

QByteArray withInt32(QByteArray bytes, qsizetype offset, int32_t value) {
    std::memcpy(bytes.data() + offset, &value, sizeof value);
    return bytes;
}

QByteArray withFloat(QByteArray bytes, qsizetype offset, float value) {
    std::memcpy(bytes.data() + offset, &value, sizeof value);
    return bytes;
}

// A Keras 2 file with one dense layer whose weights are written by `weights`.
void writeKeras(const std::string& path, const std::vector<std::string>& layers,
                const std::function<void(Hdf5TestWriter&)>& weights) {
    Hdf5TestWriter writer(path);
    writer.group("model_weights/dense");
    writer.stringList("model_weights", "layer_names", layers, true);
    writer.stringList("model_weights/dense", "weight_names", {"dense/kernel:0"}, false);
    weights(writer);
}

} // namespace

Q_DECLARE_METATYPE(Opener)

class TestCorruptLegacy : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { QVERIFY(dir_.isValid()); }

    void rejects_data() {
        QTest::addColumn<QString>("path");
        QTest::addColumn<Opener>("opener");
        QTest::addColumn<QString>("phrase");
        // Rows built from missing shared files fail in rejects() on BITLENS_REQUIRE_SHARED_DATA.
        llama2cRows();
        tokenizerRows();
        hdf5Rows();
    }

    void rejects() {
        BITLENS_REQUIRE_SHARED_DATA();
        QFETCH(QString, path);
        QFETCH(Opener, opener);
        QFETCH(QString, phrase);
        const std::filesystem::path file = path.toStdString();
        try {
            switch (opener) {
            case Opener::Checkpoint:
                openCheckpoint(file);
                break;
            case Opener::Llama2cReader:
                Llama2cReader().open(file);
                break;
            case Opener::Tokenizer512:
                readLlama2cTokenizer(file, 512);
                break;
            }
            QFAIL("opened without an error");
        } catch (const FileError& error) {
            QCOMPARE(error.path(), file);
            if (!QString::fromStdString(error.problem()).contains(phrase))
                QFAIL(qPrintable(QStringLiteral("message '%1' lacks '%2'")
                                     .arg(QString::fromStdString(error.what()), phrase)));
        }
    }

private:
    QString write(const char* name, const QByteArray& bytes) {
        const QString path = dir_.filePath(QString::fromLatin1(name));
        QFile file(path);
        if (file.open(QIODevice::WriteOnly))
            file.write(bytes);
        return path;
    }

    std::string h5(const char* name) const { return dir_.filePath(name).toStdString(); }

    void llama2cRows() {
        const QByteArray model = sharedBytes("llama2c/stories260K.bin");
        const auto row = [&](const char* name, const QByteArray& bytes, Opener opener,
                             const char* phrase) {
            QTest::newRow(name) << write(name, bytes) << opener << QString::fromLatin1(phrase);
        };
        row("llama2c cut in the weights", model.left(500000), Opener::Checkpoint,
            "needs exactly 1056540 bytes: the file is truncated");
        row("llama2c one byte short", model.left(model.size() - 1), Opener::Checkpoint,
            "is 1056539 bytes but its header");
        row("llama2c header only", model.left(28), Opener::Checkpoint, "the file is truncated");
        row("llama2c extra bytes", model + QByteArray(4, '\0'), Opener::Checkpoint,
            "extra bytes at the end");
        // A negative vocab_size promises a classifier that the file does not have.
        row("llama2c unshared without classifier", withInt32(model, 20, -512), Opener::Checkpoint,
            "needs exactly 1187612 bytes: the file is truncated");
        row("llama2c shorter than its header", model.left(20), Opener::Llama2cReader,
            "llama2.c header at offset 0: file ends early");
        row("llama2c zero dim", withInt32(model, 0, 0), Opener::Llama2cReader,
            "dim 0 is outside 1..65536");
        row("llama2c zero dim is no checkpoint", withInt32(model, 0, 0), Opener::Checkpoint,
            "not a checkpoint format BitLens can read");
        row("llama2c negative layers", withInt32(model, 8, -5), Opener::Llama2cReader,
            "n_layers -5 is outside 1..1024");
        row("llama2c heads not dividing dim", withInt32(model, 12, 7), Opener::Llama2cReader,
            "n_heads 7 does not divide dim 64");
        row("llama2c kv heads not dividing heads", withInt32(model, 16, 3), Opener::Llama2cReader,
            "n_kv_heads 3 does not divide n_heads 8");
        row("llama2c zero vocab", withInt32(model, 20, 0), Opener::Llama2cReader,
            "|vocab_size| 0 is outside");
        row("llama2c huge seq_len", withInt32(model, 24, 1 << 30), Opener::Llama2cReader,
            "seq_len 1073741824 is outside");
    }

    void tokenizerRows() {
        const QByteArray tokens = sharedBytes("llama2c/tok512.bin");
        const auto row = [&](const char* name, const QByteArray& bytes, const char* phrase) {
            QTest::newRow(name) << write(name, bytes) << Opener::Tokenizer512
                                << QString::fromLatin1(phrase);
        };
        row("tokenizer empty", QByteArray(), "max_token_length at offset 0: file ends early");
        row("tokenizer far too short", tokens.left(3000), "file is too short for 512 tokens");
        row("tokenizer cut in a token", tokens.left(5000), "file ends early");
        // Token 0 is score (offset 4), length (offset 8), bytes "<unk>" (offset 12).
        row("tokenizer token beyond max length", withInt32(tokens, 8, 9),
            "token 0 length at offset 12: 9 is outside 0..7");
        row("tokenizer negative token length", withInt32(tokens, 8, -1), "-1 is outside 0..7");
        row("tokenizer zero max length", withInt32(tokens, 0, 0), "max_token_length 0");
        row("tokenizer NaN score", withFloat(tokens, 4, std::nanf("")),
            "token 0 score at offset 8: is not a finite number");
        row("tokenizer with more tokens", tokens + tokens.mid(4, 17), "bytes follow the last");
        // llama2.c has no magic: neither a tokenizer nor text may pass for a checkpoint.
        QTest::newRow("tokenizer is no checkpoint")
            << write("tok.bin", tokens) << Opener::Checkpoint
            << QStringLiteral("not a checkpoint format BitLens can read");
        QTest::newRow("text is no checkpoint")
            << write("story.bin", QByteArray("Once upon a time, there was a little girl named "
                                             "Lily. She loved to play outside in the park."))
            << Opener::Checkpoint << QStringLiteral("not a checkpoint format BitLens can read");
    }

    void hdf5Rows() {
        const QByteArray keras = sharedBytes("keras/mnist_mlp.h5");
        const auto row = [&](const char* name, const std::string& path, const char* phrase) {
            QTest::newRow(name) << QString::fromStdString(path) << Opener::Checkpoint
                                << QString::fromLatin1(phrase);
        };
        row("hdf5 truncated", write("cut.h5", keras.left(600000)).toStdString(),
            "cannot open as HDF5: truncated file");
        QByteArray garbage = keras.left(8);
        for (int i = 0; i < 4000; ++i)
            garbage.append(char((i * 37 + 11) & 0xff));
        row("hdf5 signature then garbage", write("garbage.h5", garbage).toStdString(),
            "cannot open as HDF5");

        writeKeras(h5("ghost.h5"), {"dense", "ghost"}, [](Hdf5TestWriter& writer) {
            writer.floats("model_weights/dense/dense/kernel:0", {2, 2}, {1, 2, 3, 4});
        });
        row("keras layer without group", h5("ghost.h5"),
            "layer 'ghost' listed in layer_names of 'model_weights' has no group");

        writeKeras(h5("compound.h5"), {"dense"}, [](Hdf5TestWriter& writer) {
            writer.compound("model_weights/dense/dense/kernel:0", 4);
        });
        row("keras compound weight", h5("compound.h5"),
            "dataset 'model_weights/dense/dense/kernel:0' has a type BitLens cannot read "
            "(compound of 8 bytes)");

        writeKeras(h5("missing.h5"), {"dense"}, [](Hdf5TestWriter&) {});
        row("keras weight without dataset", h5("missing.h5"),
            "cannot open dataset 'model_weights/dense/dense/kernel:0'");

        {
            Hdf5TestWriter writer(h5("noweightnames.h5"));
            writer.floats("model_weights/dense/dense/kernel:0", {2, 2}, {1, 2, 3, 4});
            writer.stringList("model_weights", "layer_names", {"dense"}, false);
        }
        row("keras layer without weight_names", h5("noweightnames.h5"),
            "Keras layer group 'model_weights/dense' has no weight_names attribute");

        {
            Hdf5TestWriter writer(h5("nolist.h5"));
            writer.floats("model_weights/dense/dense/kernel:0", {2, 2}, {1, 2, 3, 4});
        }
        row("keras without layer_names", h5("nolist.h5"),
            "Keras group 'model_weights' has no layer_names attribute");

        writeKeras(h5("badconfig.h5"), {"dense"}, [](Hdf5TestWriter& writer) {
            writer.floats("model_weights/dense/dense/kernel:0", {2, 2}, {1, 2, 3, 4});
            writer.stringAttribute("/", "model_config", "{\"class_name\": \"Seq");
        });
        row("keras model_config not JSON", h5("badconfig.h5"),
            "attribute 'model_config' is not a JSON object");

        {
            Hdf5TestWriter writer(h5("keras3text.h5"));
            writer.floats("layers/dense/vars/0", {2, 2}, {1, 2, 3, 4});
            writer.text("layers/dense/vars/1", "not a number");
        }
        row("keras3 string variable", h5("keras3text.h5"),
            "dataset 'layers/dense/vars/1' has a type BitLens cannot read (string");

        {
            Hdf5TestWriter writer(h5("longdouble.h5"));
            writer.dataset("x", H5T_NATIVE_LDOUBLE, {2}, std::vector<long double>{1, 2},
                           H5T_NATIVE_LDOUBLE);
        }
        row("hdf5 long double", h5("longdouble.h5"),
            "dataset 'x' has a type BitLens cannot read (float of 16 bytes)");

        {
            Hdf5TestWriter writer(h5("huge.h5"));
            writer.unwritten("big", {1u << 20, 1u << 10});
        }
        row("hdf5 decoded past the memory cap", h5("huge.h5"),
            "need more than 2 GiB decoded in memory (at big)");

        {
            Hdf5TestWriter writer(h5("overflow.h5"));
            writer.unwritten("vast", {hsize_t(1) << 40, hsize_t(1) << 40});
        }
        row("hdf5 overflowing shape", h5("overflow.h5"), "tensor 'vast': shape overflows");
    }

    QTemporaryDir dir_;
};

QTEST_GUILESS_MAIN(TestCorruptLegacy)
#include "tst_corrupt_legacy.moc"

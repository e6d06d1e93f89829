// SPDX-License-Identifier: MIT
#include "common/TestData.h"
#include "core/eval/IdxDataset.h"
#include "core/util/Error.h"

#include <QTemporaryDir>
#include <QTest>
#include <fstream>
#include <zlib.h>

using namespace bitlens;

namespace {

std::vector<uint8_t> bigEndian(uint32_t value) {
    return {uint8_t(value >> 24), uint8_t(value >> 16), uint8_t(value >> 8), uint8_t(value)};
}

std::vector<uint8_t> idxFile(uint32_t magic, const std::vector<uint32_t>& dims,
                             const std::vector<uint8_t>& data) {
    std::vector<uint8_t> bytes = bigEndian(magic);
    for (uint32_t dim : dims) {
        const std::vector<uint8_t> encoded = bigEndian(dim);
        bytes.insert(bytes.end(), encoded.begin(), encoded.end());
    }
    bytes.insert(bytes.end(), data.begin(), data.end());
    return bytes;
}

std::string writePlain(const QTemporaryDir& dir, const char* name,
                       const std::vector<uint8_t>& bytes) {
    const std::string path = dir.filePath(name).toStdString();
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
    return path;
}

std::string writeGzip(const QTemporaryDir& dir, const char* name,
                      const std::vector<uint8_t>& bytes) {
    const std::string path = dir.filePath(name).toStdString();
    gzFile file = gzopen(path.c_str(), "wb");
    gzwrite(file, bytes.data(), unsigned(bytes.size()));
    gzclose(file);
    return path;
}

// Three 2x3 images with pixels 0..17 and labels 4, 0, 9.
const std::vector<uint8_t> kPixels = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17};
const std::vector<uint8_t> kLabels = {4, 0, 9};

} // namespace

class TestIdx : public QObject {
    Q_OBJECT
private slots:
    void plainAndGzipReadTheSame() {
        QTemporaryDir dir;
        const auto images = idxFile(0x803, {3, 2, 3}, kPixels);
        const auto labels = idxFile(0x801, {3}, kLabels);
        const IdxDataset plain =
            IdxDataset::load(writePlain(dir, "i", images), writePlain(dir, "l", labels));
        const IdxDataset packed =
            IdxDataset::load(writeGzip(dir, "i.gz", images), writeGzip(dir, "l.gz", labels));
        for (const IdxDataset* set : {&plain, &packed}) {
            QCOMPARE(set->size(), size_t(3));
            QCOMPARE(set->rows(), 2u);
            QCOMPARE(set->cols(), 3u);
            QCOMPARE(set->image(1)[0], uint8_t(6));
            QCOMPARE(set->image(2)[5], uint8_t(17));
            QCOMPARE(set->label(2), uint8_t(9));
            QCOMPARE(set->classCount(), 10u);
        }
        QCOMPARE(plain.fingerprint(), packed.fingerprint());
        QVERIFY(plain.subset(1, 1).fingerprint() != plain.fingerprint());
        QCOMPARE(plain.subset(1, 2).image(0)[0], uint8_t(6));
    }

    void brokenFilesAreFileErrors_data() {
        QTest::addColumn<QByteArray>("imagesHex");
        QTest::addColumn<QByteArray>("labelsHex");
        QTest::addColumn<bool>("gzip");
        QTest::addColumn<QString>("blamed");
        QTest::addColumn<QString>("problem");
        auto hex = [](const std::vector<uint8_t>& bytes) {
            return QByteArray(reinterpret_cast<const char*>(bytes.data()), qsizetype(bytes.size()))
                .toHex();
        };
        const auto goodImages = idxFile(0x803, {3, 2, 3}, kPixels);
        const auto goodLabels = idxFile(0x801, {3}, kLabels);
        std::vector<uint8_t> shortPixels(kPixels.begin(), kPixels.end() - 1);
        QTest::newRow("truncated images")
            << hex(idxFile(0x803, {3, 2, 3}, shortPixels)) << hex(goodLabels) << false << "images"
            << "truncated: 3 images of 2x3 needs 18 bytes but only 17 are there";
        QTest::newRow("truncated gzip images")
            << hex(idxFile(0x803, {3, 2, 3}, shortPixels)) << hex(goodLabels) << true << "images"
            << "truncated: 3 images of 2x3 needs 18 bytes but only 17 are there";
        QTest::newRow("header lies about the count")
            << hex(idxFile(0x803, {0xffffffffu, 4096, 4096}, kPixels)) << hex(goodLabels) << false
            << "images"
            << "4294967295 images of 4096x4096 exceed the limit of 4294967296 bytes";
        QTest::newRow("zero-sized images")
            << hex(idxFile(0x803, {3, 0, 3}, kPixels)) << hex(goodLabels) << false << "images"
            << "image size 0x3 is outside 1..4096";
        QTest::newRow("labels given as images")
            << hex(goodLabels) << hex(goodLabels) << false << "images"
            << "not an IDX image file (magic 0x00000801, expected 0x00000803)";
        QTest::newRow("short header")
            << QByteArray("00000803000000") << hex(goodLabels) << false << "images"
            << "truncated: the IDX dimensions needs 12 bytes but only 3 are there";
        QTest::newRow("trailing bytes")
            << hex(goodImages) << hex(idxFile(0x801, {2}, kLabels)) << false << "labels"
            << "more bytes than the header announces (2 labels)";
        QTest::newRow("count mismatch")
            << hex(goodImages) << hex(idxFile(0x801, {2}, {1, 2})) << false << "labels"
            << "2 labels for 3 images in ";
    }
    void brokenFilesAreFileErrors() {
        QFETCH(QByteArray, imagesHex);
        QFETCH(QByteArray, labelsHex);
        QFETCH(bool, gzip);
        QFETCH(QString, blamed);
        QFETCH(QString, problem);
        QTemporaryDir dir;
        const QByteArray images = QByteArray::fromHex(imagesHex);
        const QByteArray labels = QByteArray::fromHex(labelsHex);
        auto write = gzip ? writeGzip : writePlain;
        const std::string imagePath = write(dir, "images", {images.begin(), images.end()});
        const std::string labelPath = write(dir, "labels", {labels.begin(), labels.end()});
        try {
            IdxDataset::load(imagePath, labelPath);
            QFAIL("no error");
        } catch (const FileError& error) {
            QCOMPARE(QString::fromStdString(error.path().string()),
                     QString::fromStdString(blamed == "images" ? imagePath : labelPath));
            QVERIFY2(QString::fromStdString(error.problem()).startsWith(problem), error.what());
        }
    }

    void corruptGzipIsAFileError() {
        QTemporaryDir dir;
        std::vector<uint8_t> pixels(20000);
        for (size_t i = 0; i < pixels.size(); ++i)
            pixels[i] = uint8_t(i * 7919 % 251);
        const std::string path = writeGzip(dir, "images.gz", idxFile(0x803, {20, 25, 40}, pixels));
        std::vector<char> bytes(size_t(QFileInfo(QString::fromStdString(path)).size()));
        std::ifstream(path, std::ios::binary).read(bytes.data(), std::streamsize(bytes.size()));
        bytes.resize(bytes.size() / 2); // cut the compressed stream
        std::ofstream(path, std::ios::binary | std::ios::trunc)
            .write(bytes.data(), std::streamsize(bytes.size()));
        const std::string labels = writePlain(dir, "labels", idxFile(0x801, {20}, pixels));
        QVERIFY_THROWS_EXCEPTION(FileError, IdxDataset::load(path, labels));
    }

    void missingFileIsAFileError() {
        QVERIFY_THROWS_EXCEPTION(FileError,
                                 IdxDataset::load("/nonexistent/images", "/nonexistent/labels"));
    }

    void mnistTestSet() {
        BITLENS_REQUIRE_SHARED_DATA();
        const IdxDataset mnist =
            IdxDataset::load(test::sharedDataPath("mnist/t10k-images-idx3-ubyte.gz").toStdString(),
                             test::sharedDataPath("mnist/t10k-labels-idx1-ubyte.gz").toStdString());
        QCOMPARE(mnist.size(), size_t(10000));
        QCOMPARE(mnist.rows(), 28u);
        QCOMPARE(mnist.cols(), 28u);
        QCOMPARE(mnist.classCount(), 10u);
        const std::vector<uint8_t> firstLabels(mnist.labels().begin(), mnist.labels().begin() + 5);
        QCOMPARE(firstLabels, (std::vector<uint8_t>{7, 2, 1, 0, 4}));
    }
};

QTEST_GUILESS_MAIN(TestIdx)
#include "tst_idx.moc"

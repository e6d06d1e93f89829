// SPDX-License-Identifier: MIT
#include "common/TestData.h"
#include "core/eval/BaselineCache.h"
#include "core/eval/ClassifierEvaluator.h"
#include "core/eval/PerplexityEvaluator.h"
#include "core/io/CheckpointReader.h"
#include "core/quant/FormatRegistry.h"
#include "core/text/TokenizerFactory.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>
#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>

using namespace bitlens;

namespace {

std::vector<std::byte> bytesOf(std::string_view text) {
    const auto bytes = std::as_bytes(std::span(text));
    return {bytes.begin(), bytes.end()};
}

std::vector<std::byte> patterned(size_t count, uint8_t seed) {
    std::vector<std::byte> bytes(count);
    for (size_t i = 0; i < count; ++i)
        bytes[i] = std::byte(uint8_t(i * 131 + seed));
    return bytes;
}

std::vector<char> readFile(const std::filesystem::path& path) {
    std::ifstream file(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

void writeFile(const std::filesystem::path& path, const std::vector<char>& bytes) {
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    file.write(bytes.data(), std::streamsize(bytes.size()));
}

// Overwrites one byte of a file in place (same size, same inode).
void flipByteInPlace(const std::filesystem::path& path, uint64_t offset) {
    std::fstream file(path, std::ios::binary | std::ios::in | std::ios::out);
    file.seekg(std::streamoff(offset));
    const char old = char(file.get());
    file.seekp(std::streamoff(offset));
    file.put(char(old ^ 0x01));
}

size_t entryCount(const std::filesystem::path& folder) {
    size_t count = 0;
    if (std::filesystem::exists(folder))
        for (const auto& item : std::filesystem::directory_iterator(folder))
            count += item.path().extension() == ".baseline";
    return count;
}

IdxDataset mnistTest() {
    return IdxDataset::load(test::sharedDataPath("mnist/t10k-images-idx3-ubyte.gz").toStdString(),
                            test::sharedDataPath("mnist/t10k-labels-idx1-ubyte.gz").toStdString());
}

std::vector<int32_t> storiesTokens(const Checkpoint& checkpoint, int32_t* bos) {
    const auto tokenizer =
        loadTokenizer(checkpoint, test::sharedDataPath("llama2c/tok512.bin").toStdString());
    QFile file(test::sharedDataPath("text/tinystories_val.txt"));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    *bos = tokenizer->bos();
    return PerplexityEvaluator::tokenizeText(*tokenizer, file.readAll().toStdString());
}

// Counts progress reports.
struct ProgressCount {
    uint64_t calls = 0;
    uint64_t lastTotal = 0;
    ProgressFn callback() {
        return [this](uint64_t, uint64_t total) {
            ++calls;
            lastTotal = total;
            return true;
        };
    }
};

} // namespace

class TestBaselineCache : public QObject {
    Q_OBJECT
private slots:
    void storesAndLoadsSections() {
        QTemporaryDir dir;
        const BaselineCache cache(dir.filePath("baselines").toStdString());
        const BaselineCache::Key key = BaselineCache::Key("test/1").add("model").addValue(42);
        QVERIFY(!cache.load(key));

        const std::vector<float> floats = {1.5f, -2.25f, 3.0f};
        const std::vector<int32_t> ints = {7, 8};
        QVERIFY(cache.store(
            key, {std::as_bytes(std::span(floats)), std::as_bytes(std::span(ints)), {}}));
        QVERIFY(std::filesystem::exists(cache.entryPath(key)));
        const std::optional<BaselineCache::Entry> entry = cache.load(key);
        QVERIFY(entry);
        QCOMPARE(entry->sectionCount(), size_t(3));
        std::vector<float> readFloats;
        std::vector<int32_t> readInts;
        QVERIFY(entry->read(0, 3, readFloats));
        QVERIFY(entry->read(1, 2, readInts));
        QCOMPARE(readFloats, floats);
        QCOMPARE(readInts, ints);
        QCOMPARE(entry->section(2).size(), size_t(0));
        QVERIFY(!entry->read(0, 4, readFloats)); // a count the section does not hold
        QVERIFY(!entry->read(3, 0, readInts));   // no such section
        QCOMPARE(readFloats, floats);

        // Another key finds nothing; storing again replaces the entry.
        QVERIFY(!cache.load(BaselineCache::Key("test/1").add("model").addValue(43)));
        QVERIFY(cache.store(key, {std::as_bytes(std::span(ints))}));
        QVERIFY(cache.load(key)->read(0, 2, readInts));
        QCOMPARE(entryCount(cache.folder()), size_t(1));
    }

    void keysFollowEveryByte() {
        const std::vector<std::byte> data = patterned(1 << 20, 3);
        std::vector<std::byte> changed = data;
        changed[777777] ^= std::byte(0x40);
        std::vector<std::byte> longer = data;
        longer.push_back(std::byte(0));
        const auto key = [](std::span<const std::byte> bytes) {
            return BaselineCache::Key("k").add(bytes).hex();
        };
        QCOMPARE(key(data).size(), size_t(32));
        QCOMPARE(key(data), key(data));
        QVERIFY(key(data) != key(changed));
        QVERIFY(key(data) != key(longer)); // a zero byte more is not the same data
        for (size_t size : {0, 1, 7, 8, 9, 31, 32, 33, 63, 64, 65}) {
            std::vector<std::byte> small = patterned(size, 9);
            const std::string before = key(small);
            for (size_t i = 0; i < size; ++i) {
                small[i] ^= std::byte(0x80);
                QVERIFY2(key(small) != before,
                         qPrintable(QString("size %1 byte %2").arg(size).arg(i)));
                small[i] ^= std::byte(0x80);
            }
        }
        // Pieces are length-delimited, and the tag counts.
        QVERIFY(BaselineCache::Key("k").add("ab").add("c").hex() !=
                BaselineCache::Key("k").add("a").add("bc").hex());
        QVERIFY(BaselineCache::Key("k/1").add("a").hex() !=
                BaselineCache::Key("k/2").add("a").hex());
        QVERIFY(BaselineCache::Key("k").addValue(1.0f).hex() !=
                BaselineCache::Key("k").addValue(1.0f / 255.0f).hex());
    }

    void damagedFilesAreIgnoredAndReplaced_data() {
        QTest::addColumn<QString>("damage");
        QTest::newRow("flipped payload byte") << "payload";
        QTest::newRow("flipped header byte") << "header";
        QTest::newRow("flipped checksum byte") << "checksum";
        QTest::newRow("truncated") << "truncated";
        QTest::newRow("one byte more") << "longer";
        QTest::newRow("empty") << "empty";
        QTest::newRow("foreign text") << "foreign";
        QTest::newRow("another key's entry") << "other key";
        QTest::newRow("huge section length") << "section length";
    }

    void damagedFilesAreIgnoredAndReplaced() {
        QFETCH(QString, damage);
        QTemporaryDir dir;
        const BaselineCache cache(dir.path().toStdString());
        const BaselineCache::Key key = BaselineCache::Key("test/1").add("data");
        const std::vector<std::byte> payload = patterned(1000, 5);
        QVERIFY(cache.store(key, {payload, bytesOf("second")}));
        const std::filesystem::path path = cache.entryPath(key);
        std::vector<char> bytes = readFile(path);
        QCOMPARE(bytes.size(), size_t(8 + 4 + 4 + 16 + 2 * 8 + 1000 + 6 + 16));

        if (damage == "payload")
            bytes[48 + 500] ^= 1;
        else if (damage == "header")
            bytes[3] ^= 1;
        else if (damage == "checksum")
            bytes.back() ^= 1;
        else if (damage == "truncated")
            bytes.resize(bytes.size() - 7);
        else if (damage == "longer")
            bytes.push_back(0);
        else if (damage == "empty")
            bytes.clear();
        else if (damage == "foreign")
            bytes = {'h', 'e', 'l', 'l', 'o', '\n'};
        else if (damage == "other key") {
            const BaselineCache::Key other = BaselineCache::Key("test/1").add("other data");
            QVERIFY(cache.store(other, {payload, bytesOf("second")}));
            bytes = readFile(cache.entryPath(other));
        } else if (damage == "section length") {
            const uint64_t huge = ~uint64_t(0) - 10;
            std::memcpy(bytes.data() + 32, &huge, sizeof huge);
        }
        writeFile(path, bytes);

        QVERIFY(!cache.load(key));
        QVERIFY(!std::filesystem::exists(path)); // not trusted: removed
        QVERIFY(cache.store(key, {payload, bytesOf("second")}));
        const std::optional<BaselineCache::Entry> entry = cache.load(key);
        QVERIFY(entry);
        std::vector<std::byte> again;
        QVERIFY(entry->read(0, payload.size(), again));
        QCOMPARE(again, payload);
    }

    void evictsLeastRecentlyUsedOverTheCap() {
        QTemporaryDir dir;
        const uint64_t entryFileBytes = 8 + 4 + 4 + 16 + 8 + 1000 + 16;
        const BaselineCache cache(dir.path().toStdString(),
                                  BaselineCache::Limits{3 * entryFileBytes, 2 * entryFileBytes});
        const std::vector<std::byte> payload = patterned(1000, 1);
        const auto key = [](int i) {
            return BaselineCache::Key("test/1").addValue(i);
        };
        for (int i = 0; i < 3; ++i)
            QVERIFY(cache.store(key(i), {payload}));
        QCOMPARE(entryCount(cache.folder()), size_t(3));

        // A fourth entry pushes out the oldest; using an entry keeps it.
        QVERIFY(cache.load(key(0)));
        QVERIFY(cache.store(key(3), {payload}));
        QCOMPARE(entryCount(cache.folder()), size_t(3));
        QVERIFY(cache.load(key(0)));
        QVERIFY(!cache.load(key(1)));
        QVERIFY(cache.load(key(2)));
        QVERIFY(cache.load(key(3)));

        // Over the per-entry cap: not stored, nothing evicted.
        const std::vector<std::byte> large = patterned(2 * entryFileBytes, 2);
        QVERIFY(!cache.store(key(4), {large}));
        QVERIFY(!std::filesystem::exists(cache.entryPath(key(4))));
        QCOMPARE(entryCount(cache.folder()), size_t(3));

        // A temporary file abandoned by a crashed writer goes; a fresh one (being written) stays.
        const std::filesystem::path abandoned = cache.folder() / "x.baseline.partial-abc123";
        const std::filesystem::path writing = cache.folder() / "y.baseline.partial-def456";
        writeFile(abandoned, {'x'});
        writeFile(writing, {'y'});
        std::filesystem::last_write_time(abandoned, std::filesystem::file_time_type::clock::now() -
                                                        std::chrono::hours(2));
        QVERIFY(cache.store(key(5), {payload}));
        QVERIFY(!std::filesystem::exists(abandoned));
        QVERIFY(std::filesystem::exists(writing));
    }

    void unwritableFolderStoresNothing() {
        QTemporaryDir dir;
        const std::filesystem::path file = dir.filePath("a file").toStdString();
        writeFile(file, {'x'});
        const BaselineCache cache(file / "baselines");
        const BaselineCache::Key key("test/1");
        QVERIFY(!cache.store(key, {bytesOf("payload")}));
        QVERIFY(!cache.load(key));
    }

    void userFolderFollowsTheEnvironment() {
        const QByteArray oldCache = qgetenv("BITLENS_CACHE_DIR");
        const QByteArray oldXdg = qgetenv("XDG_CACHE_HOME");
        const QByteArray oldHome = qgetenv("HOME");
        qputenv("BITLENS_CACHE_DIR", "/tmp/bitlens-test-cache");
        qputenv("XDG_CACHE_HOME", "/xdg");
        qputenv("HOME", "/home/someone");
        const std::filesystem::path overridden = BaselineCache::userFolder();
        qunsetenv("BITLENS_CACHE_DIR");
        const std::filesystem::path xdg = BaselineCache::userFolder();
        qputenv("XDG_CACHE_HOME", "relative/ignored");
        const std::filesystem::path home = BaselineCache::userFolder();
        qunsetenv("XDG_CACHE_HOME");
        qunsetenv("HOME");
        const std::filesystem::path none = BaselineCache::userFolder();
        const bool noCache = BaselineCache::forUser() == nullptr;
        for (const auto& [name, value] : {std::pair{"BITLENS_CACHE_DIR", oldCache},
                                          {"XDG_CACHE_HOME", oldXdg},
                                          {"HOME", oldHome}})
            value.isNull() ? qunsetenv(name) : qputenv(name, value);
        QCOMPARE(QString::fromStdString(overridden.string()),
                 QString("/tmp/bitlens-test-cache/baselines"));
        QCOMPARE(QString::fromStdString(xdg.string()), QString("/xdg/bitlens/baselines"));
        QCOMPARE(QString::fromStdString(home.string()),
                 QString("/home/someone/.cache/bitlens/baselines"));
        QVERIFY(none.empty());
        QVERIFY(noCache);
    }

    void classifierBaselineComesFromDisk() {
        BITLENS_REQUIRE_SHARED_DATA();
        QTemporaryDir dir;
        const auto cache = std::make_shared<const BaselineCache>(dir.path().toStdString());
        const std::filesystem::path model = dir.filePath("mnist_mlp.h5").toStdString();
        std::filesystem::copy_file(test::sharedDataPath("keras/mnist_mlp.h5").toStdString(), model);
        const IdxDataset mnist = mnistTest();
        const float scale = 1.0f / 255.0f;
        {
            const auto checkpoint = openCheckpoint(model);
            ClassifierEvaluator first(*checkpoint);
            first.setBaselineCache(cache);
            ProgressCount progress;
            QCOMPARE(first.scoreOriginal(mnist, scale, progress.callback()).correct,
                     uint64_t(9800));
            QCOMPARE(first.baselineOrigin(), BaselineOrigin::Computed);
            QVERIFY(progress.calls > 0);
            QCOMPARE(entryCount(cache->folder()), size_t(1));
            first.scoreOriginal(mnist, scale);
            QCOMPARE(first.baselineOrigin(), BaselineOrigin::Memory);
        }
        {
            // A new evaluator on a new opening of the file: the original is not run again.
            const auto checkpoint = openCheckpoint(model);
            ClassifierEvaluator second(*checkpoint);
            second.setBaselineCache(cache);
            ProgressCount progress;
            const ClassifierScore score =
                second.scoreOriginal(mnistTest(), scale, progress.callback());
            QCOMPARE(score.correct, uint64_t(9800));
            QCOMPARE(score.accuracy(), 0.98);
            QCOMPARE(second.baselineOrigin(), BaselineOrigin::Disk);
            QCOMPARE(progress.calls, uint64_t(0));

            ClassifierEvaluator third(*checkpoint);
            third.setBaselineCache(cache);
            const QuantizedWeights int8(formatForKernels(makeFormat("int8-ch-sym")));
            const ClassifierComparison fromDisk =
                third.compare(mnist, scale, int8, progress.callback());
            QCOMPARE(third.baselineOrigin(), BaselineOrigin::Disk);
            QCOMPARE(progress.lastTotal, uint64_t(mnist.size())); // only the quantized run
            ClassifierEvaluator uncached(*checkpoint);
            const ClassifierComparison computed = uncached.compare(mnist, scale, int8);
            QCOMPARE(uncached.baselineOrigin(), BaselineOrigin::Computed);
            QCOMPARE(fromDisk.original.correct, computed.original.correct);
            QCOMPARE(fromDisk.quantized.correct, computed.quantized.correct);
            QCOMPARE(fromDisk.agreeing, computed.agreeing);
            QCOMPARE(fromDisk.kldMean, computed.kldMean);

            // Another scale, another data byte: misses.
            ClassifierEvaluator fourth(*checkpoint);
            fourth.setBaselineCache(cache);
            fourth.scoreOriginal(mnist, 1.0f);
            QCOMPARE(fourth.baselineOrigin(), BaselineOrigin::Computed);
            std::vector<uint8_t> pixels(mnist.pixels().begin(), mnist.pixels().end());
            pixels[12345] ^= 1;
            const IdxDataset changed(mnist.rows(), mnist.cols(), std::move(pixels), mnist.labels());
            fourth.scoreOriginal(changed, scale);
            QCOMPARE(fourth.baselineOrigin(), BaselineOrigin::Computed);
            std::vector<uint8_t> labels = mnist.labels();
            labels[0] = uint8_t((labels[0] + 1) % 10);
            const IdxDataset relabelled(mnist.rows(), mnist.cols(),
                                        {mnist.pixels().begin(), mnist.pixels().end()}, labels);
            fourth.scoreOriginal(relabelled, scale);
            QCOMPARE(fourth.baselineOrigin(), BaselineOrigin::Computed);
            ClassifierEvaluator fifth(*checkpoint);
            fifth.setBaselineCache(cache);
            fifth.scoreOriginal(changed, scale);
            QCOMPARE(fifth.baselineOrigin(), BaselineOrigin::Disk);
        }
        {
            // The model file rewritten in place (same size, one weight byte changed): a miss.
            const auto before = openCheckpoint(model);
            const TensorInfo tensor = *std::max_element(
                before->tensors().begin(), before->tensors().end(),
                [](const TensorInfo& a, const TensorInfo& b) { return a.byteSize < b.byteSize; });
            QVERIFY(!before->files()[tensor.fileIndex].inMemory());
            flipByteInPlace(model, tensor.offset + 2);
        }
        const auto rewritten = openCheckpoint(model);
        ClassifierEvaluator evaluator(*rewritten);
        evaluator.setBaselineCache(cache);
        evaluator.scoreOriginal(mnist, scale);
        QCOMPARE(evaluator.baselineOrigin(), BaselineOrigin::Computed);
    }

    void perplexityBaselineComesFromDisk() {
        BITLENS_REQUIRE_SHARED_DATA();
        QTemporaryDir dir;
        const auto cache = std::make_shared<const BaselineCache>(dir.path().toStdString());
        const std::filesystem::path model = dir.filePath("stories260K.bin").toStdString();
        std::filesystem::copy_file(test::sharedDataPath("llama2c/stories260K.bin").toStdString(),
                                   model);
        const PerplexityOptions options{128, 2};
        int32_t bos = -1;
        PerplexityResult computed;
        std::vector<int32_t> tokens;
        {
            const auto checkpoint = openCheckpoint(model);
            tokens = storiesTokens(*checkpoint, &bos);
            QVERIFY(tokens.size() > 1000);
            PerplexityEvaluator first(*checkpoint);
            first.setBaselineCache(cache);
            ProgressCount progress;
            computed = first.scoreOriginal(tokens, bos, options, progress.callback());
            QCOMPARE(first.baselineOrigin(), BaselineOrigin::Computed);
            QCOMPARE(progress.calls, uint64_t(2));
            QCOMPARE(computed.chunks, uint64_t(2));
            QCOMPARE(entryCount(cache->folder()), size_t(1));
        }
        const auto checkpoint = openCheckpoint(model);
        PerplexityEvaluator second(*checkpoint);
        second.setBaselineCache(cache);
        ProgressCount progress;
        const PerplexityResult loaded =
            second.scoreOriginal(tokens, bos, options, progress.callback());
        QCOMPARE(second.baselineOrigin(), BaselineOrigin::Disk);
        QCOMPARE(progress.calls, uint64_t(0));
        QCOMPARE(loaded.original.ppl, computed.original.ppl);
        QCOMPARE(loaded.original.pplError, computed.original.pplError);
        QCOMPARE(loaded.scoredTokens, uint64_t(2 * 63));

        // A comparison against the loaded baseline equals one against a computed baseline.
        const QuantizedWeights q4(formatsFromRecipe(Recipe::singleFormat("q4_0")));
        PerplexityEvaluator third(*checkpoint);
        third.setBaselineCache(cache);
        const PerplexityComparison fromDisk =
            third.compare(tokens, bos, options, q4, progress.callback());
        QCOMPARE(third.baselineOrigin(), BaselineOrigin::Disk);
        QCOMPARE(progress.lastTotal, uint64_t(2 * 128)); // only the quantized model ran
        PerplexityEvaluator uncached(*checkpoint);
        const PerplexityComparison reference = uncached.compare(tokens, bos, options, q4);
        QCOMPARE(uncached.baselineOrigin(), BaselineOrigin::Computed);
        QCOMPARE(fromDisk.quantized.ppl, reference.quantized.ppl);
        QCOMPARE(fromDisk.kldMean, reference.kldMean);
        QCOMPARE(fromDisk.kldP99, reference.kldP99);
        QCOMPARE(fromDisk.sameTop, reference.sameTop);
        QVERIFY(fromDisk.kldMean > 0);

        // n_ctx, chunk count, BOS or one token changed: each misses.
        PerplexityEvaluator other(*checkpoint);
        other.setBaselineCache(cache);
        other.scoreOriginal(tokens, bos, {64, 2});
        QCOMPARE(other.baselineOrigin(), BaselineOrigin::Computed);
        PerplexityEvaluator fewer(*checkpoint);
        fewer.setBaselineCache(cache);
        fewer.scoreOriginal(tokens, bos, {128, 1});
        QCOMPARE(fewer.baselineOrigin(), BaselineOrigin::Computed);
        PerplexityEvaluator noBos(*checkpoint);
        noBos.setBaselineCache(cache);
        noBos.scoreOriginal(tokens, -1, options);
        QCOMPARE(noBos.baselineOrigin(), BaselineOrigin::Computed);
        std::vector<int32_t> edited = tokens;
        edited[200] = (edited[200] + 1) % 512;
        PerplexityEvaluator editedText(*checkpoint);
        editedText.setBaselineCache(cache);
        editedText.scoreOriginal(edited, bos, options);
        QCOMPARE(editedText.baselineOrigin(), BaselineOrigin::Computed);
        // Tokens after the evaluated chunks do not matter.
        std::vector<int32_t> tail = tokens;
        tail.back() = (tail.back() + 1) % 512;
        PerplexityEvaluator tailEdited(*checkpoint);
        tailEdited.setBaselineCache(cache);
        tailEdited.scoreOriginal(tail, bos, options);
        QCOMPARE(tailEdited.baselineOrigin(), BaselineOrigin::Disk);

        // The checkpoint rewritten in place, one byte of the token embedding changed: a miss.
        const TensorInfo embedding =
            checkpoint->tensors()[size_t(second.config().tensors.embedding)];
        flipByteInPlace(model, embedding.offset + 4 * 1000 + 1);
        const auto rewritten = openCheckpoint(model);
        PerplexityEvaluator afterRewrite(*rewritten);
        afterRewrite.setBaselineCache(cache);
        afterRewrite.scoreOriginal(tokens, bos, options);
        QCOMPARE(afterRewrite.baselineOrigin(), BaselineOrigin::Computed);
    }
};

QTEST_GUILESS_MAIN(TestBaselineCache)
#include "tst_baseline_cache.moc"

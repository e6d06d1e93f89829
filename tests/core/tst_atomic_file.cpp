// SPDX-License-Identifier: MIT
#include "common/ByteBuilder.h"
#include "core/io/AtomicFile.h"
#include "core/util/Error.h"

#include <QDir>
#include <QTemporaryDir>
#include <QTest>

using namespace bitlens;
namespace fs = std::filesystem;

class TestAtomicFile : public QObject {
    Q_OBJECT
private slots:
    void abandonedWriteLeavesNothing() {
        QTemporaryDir dir;
        const fs::path path = fs::path(dir.path().toStdString()) / "out.bin";
        {
            AtomicFile file(path);
            file.write(std::string_view("half"));
            QCOMPARE(QDir(dir.path()).entryList(QDir::Files).size(), 1); // the temporary file
        }
        QVERIFY(QDir(dir.path()).entryList(QDir::Files).isEmpty());
    }

    void commitReplacesTheTarget() {
        QTemporaryDir dir;
        const fs::path path = fs::path(dir.path().toStdString()) / "out.bin";
        test::writeFileBytes(path, test::ByteBuilder().raw("old contents").bytes());
        {
            AtomicFile file(path);
            file.write(std::string_view("new"));
            file.writeValue(uint32_t(0x01020304));
            file.writeZeros(5000);
            QCOMPARE(file.bytesWritten(), uint64_t(3 + 4 + 5000));
            // Until commit the old file is untouched.
            QCOMPARE(test::readFileBytes(path).size(), size_t(12));
            file.commit();
            QVERIFY_THROWS_EXCEPTION(Error, file.write(std::string_view("late")));
        }
        const std::vector<std::byte> bytes = test::readFileBytes(path);
        QCOMPARE(bytes.size(), size_t(5007));
        QCOMPARE(bytes[0], std::byte{'n'});
        QCOMPARE(bytes[3], std::byte{0x04});
        QCOMPARE(bytes[5006], std::byte{0});
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files), QStringList{"out.bin"});
    }

    void largeWritesCrossTheBuffer() {
        QTemporaryDir dir;
        const fs::path path = fs::path(dir.path().toStdString()) / "big.bin";
        std::vector<std::byte> block(3 << 20);
        for (size_t i = 0; i < block.size(); ++i)
            block[i] = std::byte(i * 7 + 1);
        AtomicFile file(path);
        file.write(std::string_view("x"));
        file.write(block);
        file.commit();
        const std::vector<std::byte> bytes = test::readFileBytes(path);
        QCOMPARE(bytes.size(), block.size() + 1);
        QVERIFY(std::equal(block.begin(), block.end(), bytes.begin() + 1));
    }

    void unwritableFolderIsAFileError() {
        QVERIFY_THROWS_EXCEPTION(FileError, AtomicFile("/nonexistent-folder/out.bin"));
    }
};

QTEST_GUILESS_MAIN(TestAtomicFile)
#include "tst_atomic_file.moc"

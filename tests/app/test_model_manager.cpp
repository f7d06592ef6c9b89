// The model manager without the network: the built-in model, local GGUF files, importing
// (checked, copied off the GUI thread), deleting with the space freed, free disk space.
#include "model_manager.h"
#include "settings_controller.h"

#include <QAbstractItemModelTester>
#include <QDir>
#include <QFile>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <gtest/gtest.h>

using namespace tern::app;

namespace {

void writeFile(const QString& path, const QByteArray& head, qint64 size) {
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    ASSERT_TRUE(f.open(QIODevice::WriteOnly));
    f.write(head);
    f.write(QByteArray(size - head.size(), '\0'));
}

class ModelManagerTest : public ::testing::Test {
protected:
    void SetUp() override {
        settings = std::make_unique<SettingsController>(
            std::make_unique<QSettings>(dir.filePath(QStringLiteral("settings.ini")), QSettings::IniFormat));
        settings->setModelsFolder(dir.filePath(QStringLiteral("models")));
        writeFile(dir.filePath(QStringLiteral("demo.gguf")), "GGUF", 1000);
    }
    std::unique_ptr<ModelManager> make() {
        auto m = std::make_unique<ModelManager>(*settings, dir.filePath(QStringLiteral("demo.gguf")));
        tester = std::make_unique<QAbstractItemModelTester>(&m->modelList(),
                                                            QAbstractItemModelTester::FailureReportingMode::Fatal);
        return m;
    }
    QTemporaryDir dir;
    std::unique_ptr<SettingsController> settings;
    std::unique_ptr<QAbstractItemModelTester> tester;
};

TEST_F(ModelManagerTest, ListsTheBuiltInModelAndLocalFiles) {
    writeFile(dir.filePath(QStringLiteral("models/a.gguf")), "GGUF", 2048);
    writeFile(dir.filePath(QStringLiteral("models/owner--b/b.gguf")), "GGUF", 4096);
    writeFile(dir.filePath(QStringLiteral("models/deep/er/c.gguf")), "GGUF", 10); // too deep: not a model folder
    auto m = make();
    const QList<ModelEntry>& e = m->modelList().entries();
    ASSERT_EQ(e.size(), 3);
    EXPECT_EQ(e[0].kind, ModelEntry::Kind::BuiltIn);
    EXPECT_EQ(e[0].state, ModelEntry::State::Installed);
    EXPECT_EQ(e[0].sizeBytes, 1000);
    QStringList names;
    for (const ModelEntry& entry : e) {
        names << entry.name;
    }
    EXPECT_TRUE(names.contains(QStringLiteral("a")));
    EXPECT_TRUE(names.contains(QStringLiteral("b")));
    EXPECT_GT(m->freeDiskBytes(), 0);
    EXPECT_EQ(m->modelsFolder(), dir.filePath(QStringLiteral("models")));
}

TEST_F(ModelManagerTest, ImportCopiesAGgufFileWithProgress) {
    const QString src = dir.filePath(QStringLiteral("elsewhere/imported.gguf"));
    writeFile(src, "GGUF", 12 << 20);
    auto m = make();
    QSignalSpy imported(m.get(), &ModelManager::imported);
    m->importModel(QUrl::fromLocalFile(src).toString());
    EXPECT_TRUE(m->importing());
    ASSERT_TRUE(imported.wait(10000));
    EXPECT_FALSE(m->importing());
    const QString dst = dir.filePath(QStringLiteral("models/imported.gguf"));
    EXPECT_EQ(imported.first().at(0).toString(), dst);
    EXPECT_EQ(QFileInfo(dst).size(), 12 << 20);
    EXPECT_FALSE(QFile::exists(dst + QStringLiteral(".part")));
    EXPECT_GE(m->modelList().rowOf(dst), 0);
    EXPECT_TRUE(m->notice().contains(QStringLiteral("imported.gguf")));
}

TEST_F(ModelManagerTest, ImportRefusesWhatIsNotGguf) {
    const QString src = dir.filePath(QStringLiteral("notes.gguf"));
    writeFile(src, "PK\x03\x04", 100);
    auto m = make();
    QSignalSpy failed(m.get(), &ModelManager::failed);
    m->importModel(src);
    ASSERT_EQ(failed.count(), 1);
    const QString message = failed.first().at(0).toString();
    EXPECT_TRUE(message.contains(src)) << message.toStdString();
    EXPECT_TRUE(message.contains(QStringLiteral("not a GGUF"))) << message.toStdString();
    EXPECT_FALSE(m->importing());
    m->importModel(dir.filePath(QStringLiteral("missing.gguf")));
    ASSERT_EQ(failed.count(), 2);
    EXPECT_TRUE(failed.last().at(0).toString().contains(QStringLiteral("missing.gguf")));
}

TEST_F(ModelManagerTest, DeleteFreesSpaceButNeverTheBuiltInModel) {
    const QString path = dir.filePath(QStringLiteral("models/old.gguf"));
    writeFile(path, "GGUF", 3 << 20);
    auto m = make();
    QSignalSpy failed(m.get(), &ModelManager::failed);
    EXPECT_FALSE(m->deleteModel(dir.filePath(QStringLiteral("demo.gguf"))));
    EXPECT_EQ(failed.count(), 1);
    EXPECT_TRUE(QFile::exists(dir.filePath(QStringLiteral("demo.gguf"))));

    ASSERT_TRUE(m->deleteModel(path));
    EXPECT_FALSE(QFile::exists(path));
    EXPECT_EQ(m->modelList().rowOf(path), -1);
    EXPECT_TRUE(m->notice().contains(QStringLiteral("freed 3.0 MB"))) << m->notice().toStdString();
    EXPECT_FALSE(m->deleteModel(QStringLiteral("no-such-id")));
}

TEST_F(ModelManagerTest, ChangingTheFolderRescans) {
    auto m = make();
    EXPECT_EQ(m->modelList().rowCount(), 1);
    writeFile(dir.filePath(QStringLiteral("other/x.gguf")), "GGUF", 64);
    settings->setModelsFolder(dir.filePath(QStringLiteral("other")));
    EXPECT_EQ(m->modelList().rowCount(), 2);
}

TEST(ModelManagerText, TheCardDescriptionIsTheFirstSentenceNotCutAtADecimalPoint) {
    EXPECT_EQ(ModelManager::firstSentence(QStringLiteral("Ready-made GGUF (about 1.1-1.2 GB: F16 embeddings). Its template is broken.")),
              QStringLiteral("Ready-made GGUF (about 1.1-1.2 GB: F16 embeddings)."));
    EXPECT_EQ(ModelManager::firstSentence(QStringLiteral("Version 2.0 only")), QStringLiteral("Version 2.0 only"));
    EXPECT_EQ(ModelManager::firstSentence(QStringLiteral("Done.")), QStringLiteral("Done."));
    EXPECT_EQ(ModelManager::firstSentence(QString()), QString());
}

} // namespace

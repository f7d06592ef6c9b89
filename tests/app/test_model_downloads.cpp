// Downloads as the app runs them: the ModelManager the QML page drives, against the downloader's
// mock Hugging Face hub on 127.0.0.1 (a real HTTP server, tests/downloader/mock_hub.h). The hub
// endpoint comes from the settings and the catalog from a file, exactly as in the app.
// Checked: progress that only grows and reaches the whole; pause then resume continuing from the
// bytes on disk; cancel keeping the .part file for a later resume (the downloader's design) and
// delete removing it; a checksum mismatch shown on the card and as an error naming the file; a
// checkpoint converted after download with its own progress; the result installed and loadable.
#include "engine_backend.h"
#include "model_manager.h"
#include "settings_controller.h"

#include "hub_test_fixture.h"
#include "tiny_checkpoint.h"

#include "tern/engine/synthetic_model.h"

#include <QAbstractItemModelTester>
#include <QDir>
#include <QFile>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

using namespace tern::app;
using tern::testing::FaultSpec;
using tern::testing::MockFault;
using tern::testing::MockFile;
using tern::testing::MockHub;

namespace {

constexpr const char* kGgufRepo = "tern-test/tiny-gguf";
constexpr const char* kCheckpointRepo = "tern-test/tiny-checkpoint";
constexpr int kWaitMs = 60000; // generous: ASan on a loaded 2-core machine

std::string fileBytes(const QString& path) {
    std::ifstream in(path.toStdString(), std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// One observation of the catalog entry under test, taken at every change of the list model.
struct Seen {
    ModelEntry::State state;
    double progress;
};

class ModelDownloadTest : public ::testing::Test {
protected:
    void SetUp() override {
        // An http(s)_proxy in the environment must not intercept the local hub.
        tern::testing::set_env("no_proxy", "127.0.0.1,localhost");
        tern::testing::set_env("NO_PROXY", "127.0.0.1,localhost");
        ASSERT_TRUE(dir.isValid());

        // A small loadable GGUF (a real vocabulary, so the engine can load it) ...
        tern::engine::SyntheticModelSpec spec;
        spec.architecture = "llama";
        spec.dim = 128;
        spec.heads = 4;
        spec.kv_heads = 2;
        spec.ffn_dim = 256;
        spec.layers = 1;
        spec.context_length = 256;
        spec.embedding_type = tern::engine::TensorType::Q8_0;
        spec.vocab_from = TERN_SHARED_DATA_DIR "/vocab/ggml-vocab-llama-spm.gguf";
        spec.name = "Tiny download";
        const QString ggufPath = dir.filePath(QStringLiteral("source.gguf"));
        tern::engine::write_synthetic_model(spec, ggufPath.toStdString());
        gguf = fileBytes(ggufPath);
        ASSERT_GT(gguf.size(), 1000000u);
        hub.add_repo(kGgufRepo, {{"tiny.gguf", {gguf, true}}, {"README.md", {"# tiny\n", false}}});

        // ... and a checkpoint that needs converting.
        std::map<std::string, MockFile> checkpoint;
        for (const auto& [name, content] : tern::test::tiny_checkpoint_files()) {
            checkpoint[name] = MockFile{content, name.ends_with(".safetensors")};
        }
        hub.add_repo(kCheckpointRepo, checkpoint);

        catalogPath = dir.filePath(QStringLiteral("catalog.json"));
        std::ofstream(catalogPath.toStdString()) << catalogJson();

        settings = std::make_unique<SettingsController>(std::make_unique<QSettings>(
            dir.filePath(QStringLiteral("settings.ini")), QSettings::IniFormat));
        settings->setModelsFolder(dir.filePath(QStringLiteral("models")));
        settings->setHubEndpoint(QString::fromStdString(hub.endpoint()));
        manager = std::make_unique<ModelManager>(*settings, QString(), catalogPath);
        tester = std::make_unique<QAbstractItemModelTester>(
            &manager->modelList(), QAbstractItemModelTester::FailureReportingMode::Fatal);
        ASSERT_TRUE(manager->catalogError().isEmpty()) << manager->catalogError().toStdString();
        QObject::connect(&manager->modelList(), &QAbstractItemModel::dataChanged,
                         [this] { observe(); });
        QObject::connect(&manager->modelList(), &QAbstractItemModel::modelReset,
                         [this] { observe(); });
    }

    void TearDown() override {
        manager.reset(); // stops running downloads before the hub goes away
        hub.stop();
    }

    std::string catalogJson() const {
        std::ostringstream out;
        out << R"({"catalog_version": 1, "models": [)"
            << R"({"id": ")" << kGgufRepo << R"(", "name": "Tiny GGUF", "architecture": "llama",)"
            << R"( "parameters": "5M", "license": "MIT", "format": "gguf", "needs_conversion": false,)"
            << R"( "files": ["*.gguf"], "download_bytes": )" << gguf.size()
            << R"(, "download_size_approximate": false, "memory_bytes": 20000000, "memory_approximate": true},)"
            << R"({"id": ")" << kCheckpointRepo
            << R"(", "name": "Tiny checkpoint", "architecture": "bitnet-b1.58",)"
            << R"( "parameters": "0.1M", "license": "MIT", "format": "safetensors", "needs_conversion": true,)"
            << R"( "files": ["*.json", "*.safetensors"], "download_bytes": 200000,)"
            << R"( "download_size_approximate": true, "memory_bytes": 1000000, "memory_approximate": true}]})";
        return out.str();
    }

    void observe() {
        const int row = manager->modelList().rowOf(watched);
        if (row >= 0) {
            const ModelEntry& e = manager->modelList().entries()[row];
            seen.push_back({e.state, e.progress});
        }
    }

    ModelEntry entry(const QString& id) const {
        const int row = manager->modelList().rowOf(id);
        EXPECT_GE(row, 0) << id.toStdString();
        return row >= 0 ? manager->modelList().entries()[row] : ModelEntry{};
    }

    QString folder(const QString& id) const {
        return QDir(settings->modelsFolder())
            .filePath(id.section(QLatin1Char('/'), 0, 0) + QStringLiteral("--") +
                      id.section(QLatin1Char('/'), 1));
    }

    // The progress values seen while in `state`, in order.
    std::vector<double> progressIn(ModelEntry::State state) const {
        std::vector<double> values;
        for (const Seen& s : seen) {
            if (s.state == state) {
                values.push_back(s.progress);
            }
        }
        return values;
    }

    // LFS files come from the storage server (by their hash); the GGUF repository has one.
    std::vector<tern::testing::LoggedRequest> ggufTransfers() const {
        return hub.requests_to("storage");
    }

    QTemporaryDir dir;
    MockHub hub;
    std::string gguf;
    QString catalogPath;
    std::unique_ptr<SettingsController> settings;
    std::unique_ptr<ModelManager> manager;
    std::unique_ptr<QAbstractItemModelTester> tester;
    QString watched;
    std::vector<Seen> seen;
};

void expectNonDecreasing(const std::vector<double>& values, const char* what) {
    for (std::size_t i = 1; i < values.size(); ++i) {
        EXPECT_GE(values[i], values[i - 1]) << what << " progress went back at report " << i;
    }
}

TEST_F(ModelDownloadTest, DownloadsAGgufWithGrowingProgressAndLoadsIt) {
    const QString id = QString::fromLatin1(kGgufRepo);
    watched = id;
    EXPECT_EQ(entry(id).state, ModelEntry::State::Available);
    hub.set_chunk_delay(std::chrono::milliseconds(4)); // ~1 s: several progress reports, not one
    QSignalSpy downloaded(manager.get(), &ModelManager::downloaded);
    QSignalSpy failed(manager.get(), &ModelManager::failed);
    manager->download(id);
    EXPECT_EQ(entry(id).state, ModelEntry::State::Downloading);
    ASSERT_TRUE(downloaded.wait(kWaitMs))
        << "failed: " << (failed.isEmpty() ? "" : failed.first().at(0).toString().toStdString());
    EXPECT_TRUE(failed.isEmpty());

    const std::vector<double> progress = progressIn(ModelEntry::State::Downloading);
    ASSERT_GE(progress.size(), 3u) << "too few progress reports to show a moving bar";
    expectNonDecreasing(progress, "download");
    EXPECT_GT(progress[progress.size() / 2], 0.0);
    EXPECT_DOUBLE_EQ(progress.back(), 1.0); // the last report is the whole file
    EXPECT_TRUE(progressIn(ModelEntry::State::Converting).empty()); // a GGUF is not converted

    const QString path = QDir(folder(id)).filePath(QStringLiteral("tiny.gguf"));
    EXPECT_EQ(downloaded.first().at(0).toString(), id);
    EXPECT_EQ(downloaded.first().at(1).toString(), path);
    EXPECT_EQ(fileBytes(path), gguf);
    EXPECT_FALSE(
        QFile::exists(QDir(folder(id)).filePath(QStringLiteral("README.md")))); // not selected
    const ModelEntry done = entry(id);
    EXPECT_EQ(done.state, ModelEntry::State::Installed);
    EXPECT_EQ(done.path, path);
    EXPECT_EQ(done.sizeBytes, static_cast<qint64>(gguf.size()));
    EXPECT_TRUE(manager->notice().contains(QStringLiteral("tiny.gguf")))
        << manager->notice().toStdString();

    EngineBackend engine;
    tern::engine::LoadOptions options;
    options.threads = 1;
    const tern::engine::ModelInfo info = engine.load(path.toStdString(), options);
    EXPECT_EQ(info.name, "Tiny download");
    EXPECT_TRUE(engine.loaded());

    // Deleting frees the space and the card is downloadable again.
    ASSERT_TRUE(manager->deleteModel(id));
    EXPECT_FALSE(QFile::exists(path));
    EXPECT_EQ(entry(id).state, ModelEntry::State::Available);
}

TEST_F(ModelDownloadTest, PauseStopsTheTransferAndResumeContinuesFromTheBytesOnDisk) {
    const QString id = QString::fromLatin1(kGgufRepo);
    watched = id;
    hub.set_chunk_delay(std::chrono::milliseconds(
        10)); // ~0.6 s per MB: time to pause mid-way, even on a busy machine
    QSignalSpy downloaded(manager.get(), &ModelManager::downloaded);
    manager->download(id);
    ASSERT_TRUE(QTest::qWaitFor([&] { return entry(id).progress > 0.05; }, kWaitMs));
    manager->pause(id);
    EXPECT_EQ(entry(id).state, ModelEntry::State::Paused);
    // The first catalog entry doubles as the welcome view's recommended model: its line says so.
    EXPECT_TRUE(manager->recommendedStatus().startsWith(QStringLiteral("Paused at")))
        << manager->recommendedStatus().toStdString();

    // Paused means no bytes move: the .part file stops growing and the card stays paused.
    const QString part = QDir(folder(id)).filePath(QStringLiteral("tiny.gguf.part"));
    qint64 size = -1;
    ASSERT_TRUE(QTest::qWaitFor(
        [&] {
            const qint64 before = QFileInfo(part).size();
            QTest::qWait(300);
            const qint64 after = QFileInfo(part).size();
            size = after;
            return before == after && after > 0;
        },
        kWaitMs));
    QTest::qWait(300);
    EXPECT_EQ(QFileInfo(part).size(), size);
    EXPECT_EQ(entry(id).state, ModelEntry::State::Paused);
    EXPECT_LT(size, static_cast<qint64>(gguf.size()));
    EXPECT_TRUE(downloaded.isEmpty());

    hub.set_chunk_delay(std::chrono::milliseconds(0));
    manager->resume(id);
    EXPECT_EQ(entry(id).state, ModelEntry::State::Downloading);
    ASSERT_TRUE(downloaded.wait(kWaitMs));
    EXPECT_EQ(fileBytes(QDir(folder(id)).filePath(QStringLiteral("tiny.gguf"))), gguf);

    // Two transfers of the file: the first from byte 0, the second from exactly where the .part
    // file ended, so nothing was fetched twice.
    const auto requests = ggufTransfers();
    ASSERT_EQ(requests.size(), 2u);
    EXPECT_TRUE(requests[0].range.empty());
    EXPECT_EQ(requests[1].range, "bytes=" + std::to_string(size) + "-");
    expectNonDecreasing(progressIn(ModelEntry::State::Downloading), "resumed download");
}

TEST_F(ModelDownloadTest, CancelKeepsThePartialFileForResumeAndDeleteRemovesIt) {
    const QString id = QString::fromLatin1(kGgufRepo);
    watched = id;
    hub.set_chunk_delay(std::chrono::milliseconds(10));
    QSignalSpy failed(manager.get(), &ModelManager::failed);
    manager->download(id);
    ASSERT_TRUE(QTest::qWaitFor([&] { return entry(id).progress > 0.05; }, kWaitMs));
    manager->cancel(id);
    // Cancelled is not an error: the card returns to "available" without a message.
    ASSERT_TRUE(
        QTest::qWaitFor([&] { return entry(id).state == ModelEntry::State::Available; }, kWaitMs));
    EXPECT_TRUE(entry(id).error.isEmpty());
    EXPECT_TRUE(failed.isEmpty());
    const QString finalFile = QDir(folder(id)).filePath(QStringLiteral("tiny.gguf"));
    const QString part = finalFile + QStringLiteral(".part");
    EXPECT_FALSE(QFile::exists(finalFile));
    // The downloader's design (hub_client.h): a cancelled download keeps its verified-later
    // .part file so that the next attempt resumes it.
    const qint64 kept = QFileInfo(part).size();
    ASSERT_GT(kept, 0);
    QTest::qWait(200);
    EXPECT_EQ(QFileInfo(part).size(), kept) << "bytes still arrive after cancel";

    hub.set_chunk_delay(std::chrono::milliseconds(0));
    QSignalSpy downloaded(manager.get(), &ModelManager::downloaded);
    manager->download(id);
    ASSERT_TRUE(downloaded.wait(kWaitMs));
    EXPECT_EQ(fileBytes(finalFile), gguf);
    const auto requests = ggufTransfers();
    ASSERT_GE(requests.size(), 2u);
    EXPECT_EQ(requests.back().range, "bytes=" + std::to_string(kept) + "-");

    // A cancelled download that the user then deletes leaves nothing behind.
    ASSERT_TRUE(manager->deleteModel(id));
    EXPECT_FALSE(QDir(folder(id)).exists());
    hub.set_chunk_delay(std::chrono::milliseconds(10));
    manager->download(id);
    ASSERT_TRUE(QTest::qWaitFor([&] { return QFileInfo(part).size() > 0; }, kWaitMs));
    manager->cancel(id);
    ASSERT_TRUE(
        QTest::qWaitFor([&] { return entry(id).state == ModelEntry::State::Available; }, kWaitMs));
    EXPECT_TRUE(manager->deleteModel(id));
    EXPECT_FALSE(QFile::exists(part));
    EXPECT_FALSE(QDir(folder(id)).exists());
}

TEST_F(ModelDownloadTest, AChecksumMismatchIsAnErrorNamingTheFile) {
    const QString id = QString::fromLatin1(kGgufRepo);
    watched = id;
    hub.set_fault("tiny.gguf", FaultSpec{MockFault::WrongBytes, 0, 1});
    QSignalSpy failed(manager.get(), &ModelManager::failed);
    QSignalSpy downloaded(manager.get(), &ModelManager::downloaded);
    manager->download(id);
    ASSERT_TRUE(failed.wait(kWaitMs));
    const QString message = failed.first().at(0).toString();
    EXPECT_TRUE(message.contains(QStringLiteral("tiny.gguf"))) << message.toStdString();
    EXPECT_TRUE(message.contains(QStringLiteral("SHA-256"))) << message.toStdString();
    const ModelEntry card = entry(id);
    EXPECT_EQ(card.state, ModelEntry::State::Failed);
    EXPECT_EQ(card.error, message);
    EXPECT_TRUE(downloaded.isEmpty());
    // Bad bytes never reach the final name, nor stay around to be resumed.
    EXPECT_FALSE(QFile::exists(QDir(folder(id)).filePath(QStringLiteral("tiny.gguf"))));
    EXPECT_FALSE(QFile::exists(QDir(folder(id)).filePath(QStringLiteral("tiny.gguf.part"))));

    // Trying again (the fault was for one request) succeeds and clears the error.
    manager->download(id);
    EXPECT_EQ(entry(id).state, ModelEntry::State::Downloading);
    EXPECT_TRUE(entry(id).error.isEmpty());
    ASSERT_TRUE(downloaded.wait(kWaitMs));
    EXPECT_EQ(entry(id).state, ModelEntry::State::Installed);
}

TEST_F(ModelDownloadTest, ACheckpointIsConvertedAfterDownloadWithItsOwnProgress) {
    const QString id = QString::fromLatin1(kCheckpointRepo);
    watched = id;
    ASSERT_TRUE(entry(id).needsConversion);
    QSignalSpy downloaded(manager.get(), &ModelManager::downloaded);
    QSignalSpy failed(manager.get(), &ModelManager::failed);
    manager->download(id);
    ASSERT_TRUE(downloaded.wait(kWaitMs))
        << "failed: " << (failed.isEmpty() ? "" : failed.first().at(0).toString().toStdString());

    // Downloading, then converting: the conversion starts its own bar at 0 and ends at 1.
    const std::vector<double> converting = progressIn(ModelEntry::State::Converting);
    ASSERT_GE(converting.size(), 2u);
    EXPECT_DOUBLE_EQ(converting.front(), 0.0);
    EXPECT_DOUBLE_EQ(converting.back(), 1.0);
    expectNonDecreasing(converting, "conversion");
    std::size_t firstConverting = 0;
    while (seen[firstConverting].state != ModelEntry::State::Converting) {
        ++firstConverting;
    }
    for (std::size_t i = 0; i < firstConverting; ++i) {
        EXPECT_NE(seen[i].state, ModelEntry::State::Installed);
    }
    for (std::size_t i = firstConverting; i < seen.size(); ++i) {
        EXPECT_NE(seen[i].state, ModelEntry::State::Downloading)
            << "back to downloading at report " << i;
    }
    const std::vector<double> downloading = progressIn(ModelEntry::State::Downloading);
    ASSERT_FALSE(downloading.empty());
    EXPECT_DOUBLE_EQ(downloading.back(), 1.0);

    const QString path = QDir(folder(id)).filePath(QStringLiteral("model.gguf"));
    EXPECT_EQ(downloaded.first().at(1).toString(), path);
    EXPECT_FALSE(QDir(QDir(folder(id)).filePath(QStringLiteral("checkpoint"))).exists())
        << "the checkpoint should be removed once converted";
    const ModelEntry card = entry(id);
    EXPECT_EQ(card.state, ModelEntry::State::Installed);
    EXPECT_EQ(card.path, path);
    EXPECT_TRUE(QFile::exists(path));

    EngineBackend engine;
    tern::engine::LoadOptions options;
    options.threads = 1;
    const tern::engine::ModelInfo info = engine.load(path.toStdString(), options);
    EXPECT_EQ(info.architecture, "bitnet-b1.58");
}

} // namespace

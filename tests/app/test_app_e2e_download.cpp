// End to end: the real tern executable, offscreen, downloads a checkpoint from the mock Hugging
// Face hub on 127.0.0.1 (tern --download, as scripts/bench-gui.sh runs it), converts it, loads
// it, and reports the GUI-thread stall it measured meanwhile (the figure is not judged here).
#include "mock_hub.h"
#include "tiny_checkpoint.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QSettings>
#include <QTemporaryDir>

#include <gtest/gtest.h>

#include <fstream>

namespace {

TEST(AppEndToEnd, DownloadsConvertsAndLoadsACatalogModelFromTheHub) {
    tern::testing::MockHub hub;
    std::map<std::string, tern::testing::MockFile> files;
    for (const auto& [name, content] : tern::test::tiny_checkpoint_files()) {
        files[name] = {content, name.ends_with(".safetensors")};
    }
    hub.add_repo("tern-e2e/checkpoint", files);
    QTemporaryDir dir;
    const QString catalog = dir.filePath(QStringLiteral("catalog.json"));
    std::ofstream(catalog.toStdString())
        << R"({"catalog_version": 1, "models": [{"id": "tern-e2e/checkpoint", "name": "E2E checkpoint",)"
        << R"( "architecture": "bitnet-b1.58", "parameters": "0.1M", "license": "MIT", "format": "safetensors",)"
        << R"( "needs_conversion": true, "files": ["*.json", "*.safetensors"], "download_bytes": 200000,)"
        << R"( "download_size_approximate": true, "memory_bytes": 1000000, "memory_approximate": true}]})";
    const QString data = dir.filePath(QStringLiteral("data"));

    QProcess app;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    env.insert(QStringLiteral("no_proxy"), QStringLiteral("127.0.0.1,localhost"));
    env.insert(QStringLiteral("NO_PROXY"), QStringLiteral("127.0.0.1,localhost"));
    app.setProcessEnvironment(env);
    const QString endpoint = QString::fromStdString(hub.endpoint());
    app.start(QStringLiteral(TERN_APP_EXECUTABLE),
              {QStringLiteral("--data-dir"), data, QStringLiteral("--catalog"), catalog,
               QStringLiteral("--hub-endpoint"), endpoint, QStringLiteral("--download"),
               QStringLiteral("tern-e2e/checkpoint"), QStringLiteral("--measure")});
    ASSERT_TRUE(app.waitForStarted(10000));
    ASSERT_TRUE(app.waitForFinished(240000)) << "the app did not finish";
    const QString err = QString::fromLocal8Bit(app.readAllStandardError());
    ASSERT_EQ(app.exitCode(), 0) << err.toStdString();

    const QString gguf =
        QDir(data).filePath(QStringLiteral("models/tern-e2e--checkpoint/model.gguf"));
    EXPECT_TRUE(QFile::exists(gguf)) << err.toStdString();
    EXPECT_TRUE(err.contains(QStringLiteral("downloaded tern-e2e/checkpoint to ") + gguf))
        << err.toStdString();
    const auto stall =
        QRegularExpression(QStringLiteral("stall while downloading ([0-9.]+) ms over (\\d+) ticks"))
            .match(err);
    ASSERT_TRUE(stall.hasMatch()) << err.toStdString();
    EXPECT_GT(stall.captured(2).toInt(), 0) << "the probe never ticked during the download";
    EXPECT_TRUE(err.contains(QStringLiteral("loaded the downloaded model"))) << err.toStdString();
    // The endpoint given on the command line is kept as the setting.
    QSettings settings(QDir(data).filePath(QStringLiteral("settings.ini")), QSettings::IniFormat);
    EXPECT_EQ(settings.value(QStringLiteral("network/hubEndpoint")).toString(), endpoint);
    std::printf("[ figures  ] longest GUI-thread stall while downloading and converting %s ms\n",
                qPrintable(stall.captured(1)));

    // Usage errors exit with 2 and say what is wrong.
    QProcess bad;
    bad.setProcessEnvironment(env);
    bad.start(QStringLiteral(TERN_APP_EXECUTABLE),
              {QStringLiteral("--data-dir"), data, QStringLiteral("--hub-endpoint"),
               QStringLiteral("ftp://x")});
    ASSERT_TRUE(bad.waitForFinished(60000));
    EXPECT_EQ(bad.exitCode(), 2);
    EXPECT_TRUE(QString::fromLocal8Bit(bad.readAllStandardError())
                    .contains(QStringLiteral("--hub-endpoint ftp://x")));
}

} // namespace

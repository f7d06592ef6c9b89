// tern: the desktop chat application.
#include "chat_controller.h"
#include "clipboard.h"
#include "engine_backend.h"
#include "gui_stall_probe.h"
#include "history_store.h"
#include "model_manager.h"
#include "scripted_runs.h"
#include "settings_controller.h"
#include "tern/engine/build_info.h"
#include "tern/engine/data_paths.h"
#include "token_store.h"

#include "tern/downloader/catalog.h"

#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QElapsedTimer>
#include <QGuiApplication>
#include <QKeyEvent>
#include <QQuickItem>
#include <QQmlApplicationEngine>
#include <QQuickStyle>
#include <QQuickWindow>
#include <QStandardPaths>
#include <QTimer>
#include <QtQml/qqmlextensionplugin.h>

#include <algorithm>
#include <cstdio>
#include <memory>

Q_IMPORT_QML_PLUGIN(TernPlugin)

using namespace tern::app;

namespace {

std::unique_ptr<HistoryStore> openHistory(const QString& path, QString* error) {
    try {
        return std::make_unique<HistoryStore>(path);
    } catch (const HistoryError& e) {
        *error = QString::fromStdString(e.what());
    }
    // The app stays usable: this session's chats go to a temporary file, and the banner says so.
    const QString fallback = QDir(QStandardPaths::writableLocation(QStandardPaths::TempLocation))
                                 .filePath(QStringLiteral("tern-history-%1.sqlite3").arg(QCoreApplication::applicationPid()));
    *error += QObject::tr(" — this session's chats are kept in %1 only.").arg(fallback);
    return std::make_unique<HistoryStore>(fallback);
}

} // namespace

int main(int argc, char* argv[]) {
    QElapsedTimer startClock;
    startClock.start();
    QGuiApplication app(argc, argv);
    QGuiApplication::setApplicationName(QStringLiteral("Tern"));
    QGuiApplication::setOrganizationName(QStringLiteral("Tern"));
    QGuiApplication::setApplicationVersion(QString::fromStdString(tern::engine::version()));
    QGuiApplication::setDesktopFileName(QStringLiteral("tern"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Chat with 1.58-bit language models on your CPU"));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption selfTest(
        QStringLiteral("self-test"),
        QStringLiteral("Open the window, render one frame and quit (exit code 0 on success)."));
    const QCommandLineOption screenshot(
        QStringLiteral("screenshot"),
        QStringLiteral("Save a PNG of the window to <file> once it has settled, then quit."),
        QStringLiteral("file"));
    const QCommandLineOption modelOption(
        QStringLiteral("model"), QStringLiteral("Load this GGUF model instead of the last one used."),
        QStringLiteral("file"));
    const QCommandLineOption dataDir(
        QStringLiteral("data-dir"),
        QStringLiteral("Keep the history and settings in <dir> instead of the user's folders (tests, demos)."),
        QStringLiteral("dir"));
    const QCommandLineOption measure(
        QStringLiteral("measure"),
        QStringLiteral("Report start-up time and the longest GUI-thread stall on stderr at exit."));
    const QCommandLineOption openLatest(
        QStringLiteral("open-latest"), QStringLiteral("Open the most recent conversation instead of a new chat."));
    const QCommandLineOption typeMessage(
        QStringLiteral("type-message"),
        QStringLiteral("Once the model is ready, type <text> into the composer and press Enter, wait for the "
                       "reply, then quit (with --screenshot: save it first). For end-to-end tests."),
        QStringLiteral("text"));
    const QCommandLineOption pageOption(
        QStringLiteral("page"), QStringLiteral("Open this page at start: chat, models or settings."),
        QStringLiteral("name"));
    const QCommandLineOption catalogOption(
        QStringLiteral("catalog"),
        QStringLiteral("Offer the models of this catalog file (as resources/catalog.json) instead of the shipped one."),
        QStringLiteral("file"));
    const QCommandLineOption endpointOption(
        QStringLiteral("hub-endpoint"),
        QStringLiteral("Download from this Hugging Face endpoint or mirror (saved in the settings, as if set there)."),
        QStringLiteral("url"));
    const QCommandLineOption downloadOption(
        QStringLiteral("download"),
        QStringLiteral("Once the window is ready, download (and convert) this catalog model, load it, then quit. "
                       "With --measure, report the longest GUI-thread stall during the download. For benchmarks."),
        QStringLiteral("repo-id"));
    const QCommandLineOption thenLoadOption(
        QStringLiteral("then-load"),
        QStringLiteral("Once the window is ready, load this GGUF model as picking it in the model manager does, then "
                       "quit. With --measure, report the longest GUI-thread stall during the load. For benchmarks."),
        QStringLiteral("file"));
    parser.addOptions({selfTest, screenshot, modelOption, dataDir, measure, openLatest, typeMessage, pageOption,
                       catalogOption, endpointOption, downloadOption, thenLoadOption});
    parser.process(app);
    const QString startPage = parser.value(pageOption);
    if (!startPage.isEmpty() && !QStringList{QStringLiteral("chat"), QStringLiteral("models"), QStringLiteral("settings")}
                                     .contains(startPage)) {
        std::fprintf(stderr, "tern: --page %s: unknown page (use chat, models or settings)\n", qPrintable(startPage));
        return 2;
    }

    // Offscreen runs (tests, CI) have no GPU context; the software renderer always works there.
    if (QGuiApplication::platformName() == QLatin1String("offscreen")) {
        QQuickWindow::setGraphicsApi(QSGRendererInterface::Software);
    }
    QQuickStyle::setStyle(QStringLiteral("Basic"));

    GuiStallProbe probe;
    probe.start();

    std::unique_ptr<QSettings> qsettings;
    QString historyPath = HistoryStore::defaultPath();
    QString tokenPath;
    if (parser.isSet(dataDir)) {
        const QDir dir(parser.value(dataDir));
        QDir().mkpath(dir.absolutePath());
        qsettings = std::make_unique<QSettings>(dir.filePath(QStringLiteral("settings.ini")), QSettings::IniFormat);
        historyPath = dir.filePath(QStringLiteral("history.sqlite3"));
        tokenPath = dir.filePath(QStringLiteral("hf-token"));
    }
    TokenStore tokens(parser.isSet(dataDir) ? TokenStore::Backend::FileOnly : TokenStore::Backend::KeychainOrFile,
                      tokenPath);
    SettingsController settings(std::move(qsettings), &tokens);
    if (parser.isSet(dataDir) && settings.modelsFolder() == SettingsController::defaultModelsFolder()) {
        settings.setModelsFolder(QDir(parser.value(dataDir)).filePath(QStringLiteral("models")));
    }
    if (parser.isSet(endpointOption)) {
        const QUrl endpoint(parser.value(endpointOption), QUrl::StrictMode);
        if (!endpoint.isValid() || (endpoint.scheme() != QLatin1String("http") && endpoint.scheme() != QLatin1String("https"))) {
            std::fprintf(stderr, "tern: --hub-endpoint %s: not an http:// or https:// URL\n",
                         qPrintable(parser.value(endpointOption)));
            return 2;
        }
        settings.setHubEndpoint(parser.value(endpointOption));
    }
    QString historyError;
    std::unique_ptr<HistoryStore> history = openHistory(historyPath, &historyError);
    ChatController chat(*history, settings, std::make_unique<EngineBackend>());
    if (!historyError.isEmpty()) {
        chat.showError(historyError);
    }
    const QString catalog = parser.isSet(catalogOption)
                                ? parser.value(catalogOption)
                                : QString::fromStdString(tern::downloader::find_catalog_file().string());
    // The built-in demo model: the same search as tern-cli (tern/engine/data_paths.h), so "no
    // model chosen" means the same file everywhere.
    QString demoModel;
    if (const auto found = tern::engine::find_data_file(tern::engine::kDemoModelFile)) {
        demoModel = QString::fromStdString(found->string());
    }
    ModelManager models(settings, demoModel, catalog);
    if (!models.catalogError().isEmpty()) {
        chat.showError(models.catalogError());
    }
    // A finished download or import is what the user wants to chat with next.
    QObject::connect(&models, &ModelManager::downloaded, &chat,
                     [&chat](const QString&, const QString& path) { chat.loadModel(path); });
    QObject::connect(&models, &ModelManager::failed, &chat, &ChatController::showError);
    Clipboard clipboard;
    if (parser.isSet(openLatest) && chat.conversationModel().rowCount() > 0) {
        chat.selectConversation(chat.conversationModel().idAt(0));
    }

    QQmlApplicationEngine engine;
    engine.addImportPath(QStringLiteral("qrc:/qt/qml"));
    engine.setInitialProperties({
        {QStringLiteral("chat"), QVariant::fromValue<QObject*>(&chat)},
        {QStringLiteral("settings"), QVariant::fromValue<QObject*>(&settings)},
        {QStringLiteral("models"), QVariant::fromValue<QObject*>(&models)},
        {QStringLiteral("clipboard"), QVariant::fromValue<QObject*>(&clipboard)},
    });
    QObject::connect(
        &engine, &QQmlApplicationEngine::objectCreationFailed, &app,
        [] { QCoreApplication::exit(1); }, Qt::QueuedConnection);
    engine.load(QUrl(QStringLiteral("qrc:/qt/qml/Tern/Main.qml")));
    if (engine.rootObjects().isEmpty()) {
        std::fprintf(stderr, "tern: the user interface failed to load\n");
        return 1;
    }
    auto* window = qobject_cast<QQuickWindow*>(engine.rootObjects().constFirst());
    if (!window) {
        std::fprintf(stderr, "tern: the root object is not a window\n");
        return 1;
    }
    if (!startPage.isEmpty()) {
        window->setProperty("page", startPage);
    }

    // The model: the one asked for, else the last one used, else the built-in demo model.
    QString modelPath = parser.value(modelOption);
    if (modelPath.isEmpty()) {
        modelPath = settings.lastModelPath();
    }
    if (modelPath.isEmpty()) {
        modelPath = demoModel;
    }
    if (!modelPath.isEmpty()) {
        chat.loadModel(modelPath);
    }

    // Interactive: the first frame is on screen and the model answers (or there is none to load).
    // Start-up itself blocks the GUI thread (QML is compiled there), so the probe restarts at the
    // first frame: what it sees from there until the model is ready is the model load.
    double startupStallMs = 0;
    qint64 firstFrameMs = 0;
    auto reportInteractive = [&] {
        if (parser.isSet(measure)) {
            const qint64 now = startClock.elapsed();
            std::fprintf(stderr, "tern: interactive %lld ms after start (longest stall so far %.1f ms)\n",
                         static_cast<long long>(now), std::max(startupStallMs, probe.worstStallMs()));
            if (now - firstFrameMs > 100) {
                std::fprintf(stderr, "tern: longest GUI-thread stall while loading the model %.1f ms (%lld ms after the first frame)\n",
                             probe.worstStallMs(), static_cast<long long>(now - firstFrameMs));
            }
        }
        probe.reset(); // from here on the probe measures the running app, not start-up
    };
    bool framed = false;
    bool interactive = false;
    auto checkInteractive = [&] {
        if (!interactive && framed && chat.modelState() != QLatin1String("loading")) {
            interactive = true;
            reportInteractive();
        }
    };
    QObject::connect(window, &QQuickWindow::frameSwapped, &app, [&] {
        if (!framed) {
            framed = true;
            firstFrameMs = startClock.elapsed();
            startupStallMs = probe.worstStallMs();
            probe.reset();
            checkInteractive();
        }
    });
    QObject::connect(&chat, &ChatController::modelChanged, &app, checkInteractive);

    if (parser.isSet(selfTest)) {
        QObject::connect(window, &QQuickWindow::frameSwapped, &app, [window] {
            std::printf("tern self-test: window '%s' rendered, quitting\n",
                        qPrintable(window->title()));
            QCoreApplication::quit();
        }, Qt::QueuedConnection);
        QTimer::singleShot(30000, &app, [] {
            std::fprintf(stderr, "tern --self-test: no frame rendered within 30 s\n");
            QCoreApplication::exit(1);
        });
    }
    if (parser.isSet(downloadOption)) {
        startScriptedDownload(parser.value(downloadOption), models, chat, *window, probe);
    } else if (parser.isSet(thenLoadOption)) {
        startScriptedLoad(parser.value(thenLoadOption), chat, *window, probe);
    } else if (parser.isSet(typeMessage)) {
        // Types into the real composer through key events, as a user would.
        const QString text = parser.value(typeMessage);
        const QString shotFile = parser.value(screenshot);
        auto typed = std::make_shared<bool>(false);
        auto type = [window, text, &chat, typed] {
            if (chat.modelState() == QLatin1String("failed") || chat.modelState() == QLatin1String("none")) {
                std::fprintf(stderr, "tern --type-message: no model to answer: %s\n", qPrintable(chat.errorMessage()));
                QCoreApplication::exit(1);
                return;
            }
            if (*typed || chat.modelState() != QLatin1String("ready")) {
                return;
            }
            *typed = true;
            QTimer::singleShot(200, window, [window, text] {
                auto* input = window->findChild<QQuickItem*>(QStringLiteral("composerInput"));
                if (!input) {
                    std::fprintf(stderr, "tern --type-message: no composer found\n");
                    QCoreApplication::exit(1);
                    return;
                }
                window->requestActivate();
                input->forceActiveFocus();
                // To the composer's field itself: an offscreen window is never the active one.
                for (const QChar c : text) {
                    QKeyEvent press(QEvent::KeyPress, Qt::Key_unknown, Qt::NoModifier, QString(c));
                    QKeyEvent release(QEvent::KeyRelease, Qt::Key_unknown, Qt::NoModifier, QString(c));
                    QCoreApplication::sendEvent(input, &press);
                    QCoreApplication::sendEvent(input, &release);
                }
                if (input->property("text").toString() != text) {
                    std::fprintf(stderr, "tern --type-message: the composer holds '%s' after typing\n",
                                 qPrintable(input->property("text").toString()));
                }
                QKeyEvent enter(QEvent::KeyPress, Qt::Key_Return, Qt::NoModifier, QStringLiteral("\r"));
                QKeyEvent enterUp(QEvent::KeyRelease, Qt::Key_Return, Qt::NoModifier, QStringLiteral("\r"));
                QCoreApplication::sendEvent(input, &enter);
                QCoreApplication::sendEvent(input, &enterUp);
            });
        };
        QObject::connect(&chat, &ChatController::modelChanged, &app, type);
        QTimer::singleShot(0, &app, type);
        QObject::connect(&chat, &ChatController::replyFinished, &app,
                         [window, shotFile, &chat, &probe](qint64 messageId, const QString& state) {
            // The reply is done: what the probe saw so far is typing, sending and generating.
            std::fprintf(stderr, "tern: longest GUI-thread stall while generating %.1f ms\n", probe.worstStallMs());
            // Let the view show the finished reply before grabbing it.
            QTimer::singleShot(300, window, [window, shotFile, messageId, state, &chat] {
                if (!shotFile.isEmpty() && !window->grabWindow().save(shotFile)) {
                    std::fprintf(stderr, "tern --screenshot: cannot save %s\n", qPrintable(shotFile));
                    QCoreApplication::exit(1);
                    return;
                }
                std::printf("tern: reply %lld in conversation %lld ended %s\n", static_cast<long long>(messageId),
                            static_cast<long long>(chat.currentConversationId()), qPrintable(state));
                QCoreApplication::quit();
            });
        });
        QTimer::singleShot(120000, &app, [] {
            std::fprintf(stderr, "tern --type-message: no reply within 120 s\n");
            QCoreApplication::exit(1);
        });
    } else if (parser.isSet(screenshot)) {
        const QString file = parser.value(screenshot);
        // Let the model load (however long a big one takes) and the layout settle, then grab.
        auto* poll = new QTimer(&app);
        poll->setInterval(100);
        QObject::connect(poll, &QTimer::timeout, &app, [window, file, &chat, poll] {
            if (chat.modelState() == QLatin1String("loading")) {
                return;
            }
            poll->stop();
            const QImage image = window->grabWindow();
            if (image.isNull() || !image.save(file)) {
                std::fprintf(stderr, "tern --screenshot: cannot save %s\n", qPrintable(file));
                QCoreApplication::exit(1);
                return;
            }
            std::printf("tern: saved %s (%dx%d)\n", qPrintable(file), image.width(), image.height());
            QCoreApplication::quit();
        });
        QTimer::singleShot(1500, poll, qOverload<>(&QTimer::start));
    }
    const int rc = app.exec();
    if (parser.isSet(measure)) {
        std::fprintf(stderr, "tern: longest GUI-thread stall after start-up %.1f ms over %lld ticks\n", probe.worstStallMs(),
                     static_cast<long long>(probe.ticks()));
    }
    return rc;
}

// tern: the desktop chat application.
#include "tern/engine/build_info.h"

#include <QCommandLineParser>
#include <QGuiApplication>
#include <QQmlApplicationEngine>
#include <QQuickStyle>
#include <QQuickWindow>
#include <QTimer>
#include <QtQml/qqmlextensionplugin.h>

#include <cstdio>

Q_IMPORT_QML_PLUGIN(TernPlugin)

int main(int argc, char* argv[]) {
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
    parser.addOption(selfTest);
    parser.process(app);

    // Offscreen runs (tests, CI) have no GPU context; the software renderer always works there.
    if (QGuiApplication::platformName() == QLatin1String("offscreen")) {
        QQuickWindow::setGraphicsApi(QSGRendererInterface::Software);
    }
    QQuickStyle::setStyle(QStringLiteral("Basic"));

    QQmlApplicationEngine engine;
    engine.addImportPath(QStringLiteral("qrc:/qt/qml"));
    QObject::connect(
        &engine, &QQmlApplicationEngine::objectCreationFailed, &app,
        [] { QCoreApplication::exit(1); }, Qt::QueuedConnection);
    engine.load(QUrl(QStringLiteral("qrc:/qt/qml/Tern/Main.qml")));
    if (engine.rootObjects().isEmpty()) {
        std::fprintf(stderr, "tern: the user interface failed to load\n");
        return 1;
    }

    if (parser.isSet(selfTest)) {
        auto* window = qobject_cast<QQuickWindow*>(engine.rootObjects().constFirst());
        if (!window) {
            std::fprintf(stderr, "tern --self-test: the root object is not a window\n");
            return 1;
        }
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
    return app.exec();
}

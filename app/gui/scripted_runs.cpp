#include "scripted_runs.h"

#include "chat_controller.h"
#include "gui_stall_probe.h"
#include "model_manager.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QQuickWindow>
#include <QTimer>

#include <cstdio>
#include <memory>

namespace tern::app {

void startScriptedDownload(const QString& id, ModelManager& models, ChatController& chat,
                           QQuickWindow& window, GuiStallProbe& probe) {
    struct Run {
        bool started = false;
        bool downloaded = false;
        QElapsedTimer clock;
    };
    auto run = std::make_shared<Run>();
    // Waits for the start-up model load to end, so the figures are the download's alone.
    auto start = [run, id, &models, &chat, &window, &probe] {
        if (run->started || chat.modelState() == QLatin1String("loading")) {
            return;
        }
        run->started = true;
        window.setProperty("page", QStringLiteral("models")); // the progress bar is on screen
        probe.reset();
        run->clock.start();
        models.download(id);
    };
    QObject::connect(&chat, &ChatController::modelChanged, &window, start);
    QTimer::singleShot(0, &window, start);

    QObject::connect(
        &models, &ModelManager::downloaded, &window,
        [run, id, &probe](const QString& doneId, const QString& path) {
            if (doneId != id) {
                return;
            }
            run->downloaded = true;
            std::fprintf(stderr, "tern: downloaded %s to %s in %lld ms\n", qPrintable(id),
                         qPrintable(path), static_cast<long long>(run->clock.elapsed()));
            std::fprintf(
                stderr,
                "tern: longest GUI-thread stall while downloading %.1f ms over %lld ticks\n",
                probe.worstStallMs(), static_cast<long long>(probe.ticks()));
            probe.reset(); // ModelManager::downloaded has just asked the chat to load the model
            run->clock.restart();
        });
    QObject::connect(&chat, &ChatController::modelChanged, &window, [run, &chat, &probe] {
        if (!run->downloaded) {
            return;
        }
        if (chat.modelState() == QLatin1String("ready")) {
            std::fprintf(stderr,
                         "tern: loaded the downloaded model in %lld ms; longest GUI-thread stall "
                         "while loading %.1f ms\n",
                         static_cast<long long>(run->clock.elapsed()), probe.worstStallMs());
            QCoreApplication::quit();
        } else if (chat.modelState() == QLatin1String("failed")) {
            std::fprintf(stderr, "tern --download: the downloaded model did not load: %s\n",
                         qPrintable(chat.errorMessage()));
            QCoreApplication::exit(1);
        }
    });
    QObject::connect(&models, &ModelManager::failed, &window, [id](const QString& message) {
        std::fprintf(stderr, "tern --download %s: %s\n", qPrintable(id), qPrintable(message));
        QCoreApplication::exit(1);
    });
    QTimer::singleShot(600000, &window, [id] {
        std::fprintf(stderr, "tern --download %s: not done within 10 minutes\n", qPrintable(id));
        QCoreApplication::exit(1);
    });
}

void startScriptedLoad(const QString& path, ChatController& chat, QQuickWindow& window,
                       GuiStallProbe& probe) {
    struct Run {
        bool started = false;
        QElapsedTimer clock;
    };
    auto run = std::make_shared<Run>();
    auto step = [run, path, &chat, &probe] {
        const QString state = chat.modelState();
        if (!run->started) {
            if (state == QLatin1String("loading")) {
                return; // the start-up model first
            }
            run->started = true;
            probe.reset();
            run->clock.start();
            chat.loadModel(path);
            return;
        }
        if (state == QLatin1String("ready")) {
            std::fprintf(stderr,
                         "tern: loaded %s in %lld ms; longest GUI-thread stall while loading the "
                         "model %.1f ms over %lld ticks\n",
                         qPrintable(path), static_cast<long long>(run->clock.elapsed()),
                         probe.worstStallMs(), static_cast<long long>(probe.ticks()));
            QCoreApplication::quit();
        } else if (state == QLatin1String("failed")) {
            std::fprintf(stderr, "tern --then-load: %s\n", qPrintable(chat.errorMessage()));
            QCoreApplication::exit(1);
        }
    };
    QObject::connect(&chat, &ChatController::modelChanged, &window, step);
    QTimer::singleShot(0, &window, step);
    QTimer::singleShot(600000, &window, [] {
        std::fprintf(stderr, "tern --then-load: the model did not load within 10 minutes\n");
        QCoreApplication::exit(1);
    });
}

} // namespace tern::app

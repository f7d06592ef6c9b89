// Scripted runs for benchmarks (scripts/bench-gui.sh) and demos. Each waits until the window is
// ready with its start-up model, does what a user would, quits, and reports on stderr how long
// the GUI thread was ever blocked meanwhile (GuiStallProbe, worst case).
//  - tern --download <repo-id>: opens the model manager, downloads (and converts) the catalog
//    model exactly as the Download button does, lets the app load it.
//  - tern --then-load <file>: loads a model as picking it in the model manager does.
#pragma once

#include <QString>

class QQuickWindow;

namespace tern::app {

class ChatController;
class GuiStallProbe;
class ModelManager;

void startScriptedDownload(const QString& id, ModelManager& models, ChatController& chat,
                           QQuickWindow& window, GuiStallProbe& probe);
void startScriptedLoad(const QString& path, ChatController& chat, QQuickWindow& window,
                       GuiStallProbe& probe);

} // namespace tern::app

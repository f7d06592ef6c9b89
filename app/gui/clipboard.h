// Lets QML put text on the system clipboard (Qt Quick 6.4 has no clipboard type).
#pragma once

#include <QClipboard>
#include <QGuiApplication>
#include <QObject>

namespace tern::app {

class Clipboard : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;
    Q_INVOKABLE void copy(const QString& text) { QGuiApplication::clipboard()->setText(text); }
    Q_INVOKABLE QString text() const { return QGuiApplication::clipboard()->text(); }
};

} // namespace tern::app

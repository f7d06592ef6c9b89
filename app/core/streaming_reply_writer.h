// Writes a reply that is still being generated to the history, so a crash loses at most
// `interval` of text: pieces are collected in memory and written when the last write is at
// least `interval` old, and a timer writes what a quiet stretch left unwritten.
#pragma once

#include "history_store.h"

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

#include <functional>

namespace tern::app {

class StreamingReplyWriter : public QObject {
    Q_OBJECT
public:
    // The store must outlive the writer. The interval must stay at or under a second (issue 9).
    StreamingReplyWriter(HistoryStore& store, qint64 messageId, int intervalMs = 500,
                         QObject* parent = nullptr);

    void append(const QString& piece);
    // Writes the final text with its figures and stops the timer.
    void finish(MessageState state, const MessageFigures& figures);

    QString text() const { return text_; }
    qint64 messageId() const { return messageId_; }
    int writes() const { return writes_; }
    // Called with the error message when a write fails (disk full...); the reply keeps streaming.
    void setErrorHandler(std::function<void(const QString&)> handler) { onError_ = std::move(handler); }

private:
    void flush();

    HistoryStore& store_;
    qint64 messageId_;
    int intervalMs_;
    QString text_;
    bool dirty_ = false;
    bool finished_ = false;
    int writes_ = 0;
    QElapsedTimer sinceWrite_;
    QTimer timer_;
    std::function<void(const QString&)> onError_;
};

} // namespace tern::app

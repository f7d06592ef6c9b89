#include "streaming_reply_writer.h"

namespace tern::app {

StreamingReplyWriter::StreamingReplyWriter(HistoryStore& store, qint64 messageId, int intervalMs,
                                           QObject* parent)
    : QObject(parent), store_(store), messageId_(messageId), intervalMs_(intervalMs) {
    sinceWrite_.start();
    timer_.setInterval(intervalMs_);
    connect(&timer_, &QTimer::timeout, this, [this] {
        if (dirty_) {
            flush();
        }
    });
    timer_.start();
}

void StreamingReplyWriter::append(const QString& piece) {
    if (finished_ || piece.isEmpty()) {
        return;
    }
    text_ += piece;
    dirty_ = true;
    if (sinceWrite_.elapsed() >= intervalMs_) {
        flush();
    }
}

void StreamingReplyWriter::flush() {
    try {
        store_.updateMessageText(messageId_, text_, MessageState::Streaming);
        ++writes_;
        dirty_ = false;
    } catch (const HistoryError& e) {
        if (onError_) {
            onError_(QString::fromStdString(e.what()));
        }
    }
    sinceWrite_.restart();
}

void StreamingReplyWriter::finish(MessageState state, const MessageFigures& figures) {
    if (finished_) {
        return;
    }
    finished_ = true;
    timer_.stop();
    try {
        store_.finishMessage(messageId_, text_, state, figures);
        ++writes_;
        dirty_ = false;
    } catch (const HistoryError& e) {
        if (onError_) {
            onError_(QString::fromStdString(e.what()));
        }
    }
}

} // namespace tern::app

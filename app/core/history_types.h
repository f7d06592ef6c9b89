// Plain value types of the chat history, shared by the store, the list models and the controller.
#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <stdexcept>

namespace tern::app {

// Any failure of the history database: the message names the database file and the problem.
class HistoryError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

enum class MessageRole { System, User, Assistant };
// Streaming: a reply still being generated (or one whose generation was cut off by a crash).
enum class MessageState { Complete, Streaming, Stopped, Failed };

QString roleName(MessageRole role);
MessageRole roleFromName(const QString& name); // throws HistoryError on an unknown name
QString stateName(MessageState state);
MessageState stateFromName(const QString& name);

// What a generation measured; zero when not known (user messages, old replies).
struct MessageFigures {
    int promptTokens = 0;
    int generatedTokens = 0;
    double promptTokensPerSecond = 0;
    double tokensPerSecond = 0;
    double secondsToFirstToken = 0;
};

struct StoredMessage {
    qint64 id = 0;
    qint64 conversationId = 0;
    MessageRole role = MessageRole::User;
    QString text;
    MessageState state = MessageState::Complete;
    QDateTime createdAt;
    QDateTime updatedAt;
    QString model;
    QJsonObject settings; // the sampling settings the reply was generated with
    MessageFigures figures;
};

struct StoredConversation {
    qint64 id = 0;
    QString title;
    QDateTime createdAt;
    QDateTime updatedAt; // last activity: creation, a new message, a streamed piece, a rename
    QString model;
    int messageCount = 0;
};

struct SearchHit {
    qint64 conversationId = 0;
    qint64 messageId = 0;
    QString conversationTitle;
    QString snippet; // the matching words wrapped in [ and ]
};

} // namespace tern::app

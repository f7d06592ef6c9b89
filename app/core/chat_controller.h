// The chat as QML sees it: the conversation list, the open conversation's messages, the model
// state and the live figures of the status strip. Owns the engine worker thread; every call
// from QML returns at once, and the engine answers through queued signals.
#pragma once

#include "chat_backend.h"
#include "conversation_list_model.h"
#include "history_store.h"
#include "message_list_model.h"

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QThread>
#include <QTimer>
#include <QVariantList>

#include <memory>

namespace tern::app {

class EngineWorker;
class SettingsController;
class StreamingReplyWriter;

class ChatController : public QObject {
    Q_OBJECT
    Q_PROPERTY(QObject* conversations READ conversations CONSTANT)
    Q_PROPERTY(QObject* messages READ messages CONSTANT)
    Q_PROPERTY(qint64 currentConversationId READ currentConversationId NOTIFY currentConversationChanged)
    Q_PROPERTY(QString currentTitle READ currentTitle NOTIFY currentConversationChanged)
    Q_PROPERTY(QString searchText READ searchText WRITE setSearchText NOTIFY searchTextChanged)
    // "none", "loading", "ready", "failed"
    Q_PROPERTY(QString modelState READ modelState NOTIFY modelChanged)
    Q_PROPERTY(double loadProgress READ loadProgress NOTIFY loadProgressChanged)
    Q_PROPERTY(QString modelName READ modelName NOTIFY modelChanged)
    Q_PROPERTY(QString modelPath READ modelPath NOTIFY modelChanged)
    Q_PROPERTY(QString kernelVariant READ kernelVariant NOTIFY modelChanged)
    Q_PROPERTY(QString weightType READ weightType NOTIFY modelChanged)
    Q_PROPERTY(int threads READ threads NOTIFY modelChanged)
    Q_PROPERTY(bool generating READ generating NOTIFY generatingChanged)
    Q_PROPERTY(bool prefilling READ prefilling NOTIFY statsChanged)
    Q_PROPERTY(double tokensPerSecond READ tokensPerSecond NOTIFY statsChanged)
    Q_PROPERTY(double promptTokensPerSecond READ promptTokensPerSecond NOTIFY statsChanged)
    Q_PROPERTY(int contextUsed READ contextUsed NOTIFY statsChanged)
    Q_PROPERTY(int contextSize READ contextSize NOTIFY statsChanged)
    Q_PROPERTY(QVariantList speedHistory READ speedHistory NOTIFY statsChanged)
    Q_PROPERTY(double residentMemoryBytes READ residentMemoryBytes NOTIFY residentMemoryChanged)
    Q_PROPERTY(QString composerBlockedReason READ composerBlockedReason NOTIFY composerBlockedReasonChanged)
    Q_PROPERTY(QString errorMessage READ errorMessage NOTIFY errorMessageChanged)
    Q_PROPERTY(QString pendingDeleteTitle READ pendingDeleteTitle NOTIFY pendingDeleteChanged)

public:
    ChatController(HistoryStore& store, SettingsController& settings,
                   std::unique_ptr<ChatBackend> backend, QObject* parent = nullptr);
    ~ChatController() override;

    // How long a deleted conversation can still be brought back.
    static constexpr int kUndoDeleteMs = 6000;

    QObject* conversations() { return &conversations_; }
    QObject* messages() { return &messages_; }
    ConversationListModel& conversationModel() { return conversations_; }
    MessageListModel& messageModel() { return messages_; }
    qint64 currentConversationId() const { return currentId_; }
    QString currentTitle() const;
    QString searchText() const { return searchText_; }
    void setSearchText(const QString& text);
    QString modelState() const { return modelState_; }
    double loadProgress() const { return loadProgress_; }
    QString modelName() const { return QString::fromStdString(info_.name); }
    QString modelPath() const { return QString::fromStdString(info_.path); }
    QString kernelVariant() const { return QString::fromStdString(info_.kernel_variant); }
    QString weightType() const { return QString::fromStdString(info_.weight_type); }
    int threads() const { return info_.threads; }
    bool generating() const { return activeRequest_ != 0; }
    bool prefilling() const { return generating() && piecesThisReply_ == 0; }
    double tokensPerSecond() const { return tokensPerSecond_; }
    double promptTokensPerSecond() const { return promptTokensPerSecond_; }
    int contextUsed() const { return contextUsed_; }
    int contextSize() const { return contextSize_; }
    QVariantList speedHistory() const { return speedHistory_; }
    double residentMemoryBytes() const { return static_cast<double>(residentBytes_); }
    QString composerBlockedReason() const;
    QString errorMessage() const { return errorMessage_; }
    QString pendingDeleteTitle() const { return pendingDeleteTitle_; }

    Q_INVOKABLE void loadModel(const QString& path);
    Q_INVOKABLE void cancelLoad();
    Q_INVOKABLE void newConversation();
    Q_INVOKABLE void selectConversation(qint64 id);
    // Returns false (and changes nothing) when the composer is blocked or the text is blank.
    Q_INVOKABLE bool send(const QString& text);
    Q_INVOKABLE void stop();
    Q_INVOKABLE bool regenerate();
    Q_INVOKABLE bool editAndResend(qint64 messageId, const QString& text);
    Q_INVOKABLE void renameConversation(qint64 id, const QString& title);
    // Hides the conversation at once; it is deleted for good after kUndoDeleteMs unless
    // undoDelete() is called (or at once when another one is deleted or the app quits).
    Q_INVOKABLE void deleteConversation(qint64 id);
    Q_INVOKABLE void undoDelete();
    Q_INVOKABLE void dismissError();
    // Writes the conversation as Markdown (.md) or JSON (.json), chosen by the file's suffix.
    Q_INVOKABLE bool exportConversation(qint64 id, const QString& fileUrl);
    Q_INVOKABLE void showError(const QString& message);

    // Commits a pending deletion now (tests, shutdown).
    void commitPendingDelete();

signals:
    void currentConversationChanged();
    void searchTextChanged();
    void modelChanged();
    void loadProgressChanged();
    void generatingChanged();
    void statsChanged();
    void residentMemoryChanged();
    void composerBlockedReasonChanged();
    void errorMessageChanged();
    void pendingDeleteChanged();
    // The streamed reply is complete (or stopped, or failed) and stored.
    void replyFinished(qint64 messageId, const QString& state);

private:
    void startReply();
    void onPiece(quint64 requestId, const QString& text);
    void onFinished(quint64 requestId, const engine::TurnStats& stats, int contextUsed, int contextSize);
    void onFailed(quint64 requestId, const QString& message);
    void flushPiecesToView();
    void endReply(MessageState state, const MessageFigures& figures);
    void refreshConversations();
    void setModelState(const QString& state);
    void setCurrent(qint64 id);
    template <typename F> bool guarded(F&& f);

    HistoryStore& store_;
    SettingsController& settings_;
    ConversationListModel conversations_;
    MessageListModel messages_;
    QThread thread_;
    EngineWorker* worker_ = nullptr; // lives on thread_, deleted when it finishes

    qint64 currentId_ = 0; // 0: a new chat not stored yet
    QString searchText_;
    QString modelState_ = QStringLiteral("none");
    double loadProgress_ = 0;
    engine::ModelInfo info_;
    QString errorMessage_;

    // The reply being generated.
    quint64 nextRequest_ = 0;
    quint64 activeRequest_ = 0;
    bool stopRequested_ = false;
    qint64 streamingConversation_ = 0;
    qint64 streamingMessage_ = 0;
    std::unique_ptr<StreamingReplyWriter> writer_;
    QString pendingView_; // pieces not yet shown (the view is refreshed at most every 33 ms)
    QTimer viewTimer_;
    QElapsedTimer replyClock_;
    qint64 firstPieceNs_ = 0;
    int piecesThisReply_ = 0;
    double tokensPerSecond_ = 0;
    double promptTokensPerSecond_ = 0;
    int contextUsed_ = 0;
    int contextSize_ = 0;
    QVariantList speedHistory_;
    qint64 lastSampleNs_ = 0;

    QTimer memoryTimer_;
    std::uint64_t residentBytes_ = 0;

    qint64 pendingDeleteId_ = 0;
    QString pendingDeleteTitle_;
    QTimer deleteTimer_;
};

// The title of a conversation named after its first message: the first line, cut at a word
// boundary near 60 characters.
QString titleFromFirstMessage(const QString& text);

} // namespace tern::app

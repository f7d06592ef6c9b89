#include "chat_controller.h"

#include "engine_worker.h"
#include "process_memory.h"
#include "settings_controller.h"
#include "streaming_reply_writer.h"

#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QUrl>

#include <limits>

namespace tern::app {
namespace {

constexpr int kViewRefreshMs = 33;         // ~30 updates a second is smooth; more is wasted work
constexpr qint64 kSpeedSampleNs = 250'000'000;
constexpr int kSpeedHistoryLength = 120;

} // namespace

QString titleFromFirstMessage(const QString& text) {
    QString line = text.trimmed().section(QLatin1Char('\n'), 0, 0).simplified();
    if (line.isEmpty()) {
        return QObject::tr("New chat");
    }
    if (line.size() <= 60) {
        return line;
    }
    const int cut = line.lastIndexOf(QLatin1Char(' '), 60);
    return line.left(cut > 20 ? cut : 60) + QStringLiteral("…");
}

ChatController::ChatController(HistoryStore& store, SettingsController& settings,
                               std::unique_ptr<ChatBackend> backend, QObject* parent)
    : QObject(parent), store_(store), settings_(settings) {
    registerEngineMetaTypes();
    worker_ = new EngineWorker(std::move(backend));
    worker_->moveToThread(&thread_);
    connect(&thread_, &QThread::finished, worker_, &QObject::deleteLater);
    thread_.setObjectName(QStringLiteral("tern-engine"));
    thread_.start();

    connect(worker_, &EngineWorker::loadProgress, this, [this](float progress) {
        loadProgress_ = progress;
        emit loadProgressChanged();
    });
    connect(worker_, &EngineWorker::loaded, this, [this](const engine::ModelInfo& info) {
        info_ = info;
        contextSize_ = info.context_length;
        contextUsed_ = 0;
        loadProgress_ = 1;
        settings_.setLastModelPath(QString::fromStdString(info.path));
        setModelState(QStringLiteral("ready"));
        emit statsChanged();
    });
    connect(worker_, &EngineWorker::loadFailed, this, [this](const QString& message, bool cancelled) {
        info_ = {};
        // The message first, so whoever reacts to the state change can show it.
        if (!cancelled) {
            showError(message);
        }
        setModelState(cancelled ? QStringLiteral("none") : QStringLiteral("failed"));
    });
    connect(worker_, &EngineWorker::piece, this, &ChatController::onPiece);
    connect(worker_, &EngineWorker::finished, this, &ChatController::onFinished);
    connect(worker_, &EngineWorker::failed, this, &ChatController::onFailed);

    viewTimer_.setSingleShot(true);
    viewTimer_.setInterval(kViewRefreshMs);
    connect(&viewTimer_, &QTimer::timeout, this, &ChatController::flushPiecesToView);

    memoryTimer_.setInterval(1000);
    connect(&memoryTimer_, &QTimer::timeout, this, [this] {
        residentBytes_ = ::tern::app::residentMemoryBytes(); // the free function, not the getter
        emit residentMemoryChanged();
    });
    residentBytes_ = ::tern::app::residentMemoryBytes(); // the free function, not the getter
    memoryTimer_.start();

    deleteTimer_.setSingleShot(true);
    deleteTimer_.setInterval(kUndoDeleteMs);
    connect(&deleteTimer_, &QTimer::timeout, this, &ChatController::commitPendingDelete);

    refreshConversations();
}

ChatController::~ChatController() {
    if (activeRequest_ != 0) {
        // Keep what was generated: the reply ends as stopped, not lost.
        flushPiecesToView();
        endReply(MessageState::Stopped, {});
    }
    worker_->stop(std::numeric_limits<quint64>::max());
    worker_->cancelLoad();
    thread_.quit();
    thread_.wait();
    commitPendingDelete();
}

template <typename F>
bool ChatController::guarded(F&& f) {
    try {
        f();
        return true;
    } catch (const std::exception& e) {
        showError(QString::fromStdString(e.what()));
        return false;
    }
}

QString ChatController::currentTitle() const {
    if (currentId_ == 0) {
        return tr("New chat");
    }
    const int row = conversations_.rowOf(currentId_);
    if (const auto c = conversations_.at(row)) {
        return c->title;
    }
    return tr("New chat");
}

QString ChatController::composerBlockedReason() const {
    if (modelState_ == QLatin1String("loading")) {
        return tr("Loading the model… (%1%)").arg(qRound(loadProgress_ * 100));
    }
    if (modelState_ == QLatin1String("failed")) {
        return tr("The model could not be loaded. Pick another one in the model manager.");
    }
    if (modelState_ != QLatin1String("ready")) {
        return tr("No model is loaded yet. Open the model manager to download or import one.");
    }
    return {};
}

void ChatController::setModelState(const QString& state) {
    modelState_ = state;
    emit modelChanged();
    emit composerBlockedReasonChanged();
}

void ChatController::showError(const QString& message) {
    errorMessage_ = message;
    emit errorMessageChanged();
}

void ChatController::dismissError() {
    showError({});
}

void ChatController::loadModel(const QString& path) {
    const QString file = path.startsWith(QLatin1String("file:")) ? QUrl(path).toLocalFile() : path;
    if (generating()) {
        stop();
    }
    loadProgress_ = 0;
    info_ = {};
    info_.name = QFileInfo(file).completeBaseName().toStdString();
    setModelState(QStringLiteral("loading"));
    emit loadProgressChanged();
    const engine::LoadOptions options = settings_.loadOptions();
    QMetaObject::invokeMethod(worker_, [w = worker_, file, options] { w->load(file, options); },
                              Qt::QueuedConnection);
}

void ChatController::cancelLoad() {
    worker_->cancelLoad();
}

void ChatController::refreshConversations() {
    guarded([&] {
        QList<StoredConversation> all = store_.conversations();
        all.erase(std::remove_if(all.begin(), all.end(),
                                 [&](const StoredConversation& c) { return c.id == pendingDeleteId_; }),
                  all.end());
        if (searchText_.trimmed().isEmpty()) {
            conversations_.setConversations(all);
            conversations_.setSnippets({});
            return;
        }
        QHash<qint64, QString> snippets;
        for (const SearchHit& hit : store_.search(searchText_)) {
            if (!snippets.contains(hit.conversationId)) {
                snippets.insert(hit.conversationId, hit.snippet);
            }
        }
        QList<StoredConversation> matching;
        for (const StoredConversation& c : all) {
            if (snippets.contains(c.id) || c.title.contains(searchText_.trimmed(), Qt::CaseInsensitive)) {
                matching.append(c);
            }
        }
        conversations_.setConversations(matching);
        conversations_.setSnippets(snippets);
    });
}

void ChatController::setSearchText(const QString& text) {
    if (text == searchText_) {
        return;
    }
    searchText_ = text;
    emit searchTextChanged();
    refreshConversations();
}

void ChatController::setCurrent(qint64 id) {
    currentId_ = id;
    emit currentConversationChanged();
}

void ChatController::newConversation() {
    setCurrent(0);
    messages_.setMessages({});
}

void ChatController::selectConversation(qint64 id) {
    if (id == currentId_) {
        return;
    }
    guarded([&] {
        QList<StoredMessage> list = store_.messages(id);
        // The reply still streaming holds more in memory than on disk.
        if (id == streamingConversation_ && writer_ && !list.isEmpty() && list.last().id == streamingMessage_) {
            list.last().text = writer_->text();
            pendingView_.clear();
        }
        messages_.setMessages(list);
        setCurrent(id);
    });
}

bool ChatController::send(const QString& text) {
    if (!composerBlockedReason().isEmpty() || generating() || text.trimmed().isEmpty()) {
        return false;
    }
    return guarded([&] {
        if (currentId_ == 0) {
            const qint64 id = store_.createConversation(titleFromFirstMessage(text), modelName());
            if (const auto c = store_.conversation(id)) {
                conversations_.moveToTop(*c); // before setCurrent, so the title is known
            }
            setCurrent(id);
        }
        const qint64 userId = store_.appendMessage(currentId_, MessageRole::User, text);
        messages_.append(*store_.message(userId));
        startReply();
    });
}

void ChatController::startReply() {
    GenerationRequest request;
    const QString system = settings_.systemPrompt().trimmed();
    if (!system.isEmpty()) {
        request.messages.push_back({"system", system.toStdString()});
    }
    for (const StoredMessage& m : messages_.messages()) {
        if (m.state == MessageState::Failed || m.text.isEmpty()) {
            continue;
        }
        request.messages.push_back({roleName(m.role).toStdString(), m.text.toStdString()});
    }
    request.options = settings_.generateOptions();
    request.chat_template_override = settings_.chatTemplateOverride().toStdString();

    const qint64 replyId = store_.appendMessage(currentId_, MessageRole::Assistant, {}, MessageState::Streaming,
                                                modelName(), settings_.generationSettingsJson());
    messages_.append(*store_.message(replyId));
    if (const auto c = store_.conversation(currentId_)) {
        conversations_.moveToTop(*c);
    }
    streamingConversation_ = currentId_;
    streamingMessage_ = replyId;
    writer_ = std::make_unique<StreamingReplyWriter>(store_, replyId);
    writer_->setErrorHandler([this](const QString& message) { showError(message); });
    pendingView_.clear();
    piecesThisReply_ = 0;
    tokensPerSecond_ = 0;
    speedHistory_.clear();
    stopRequested_ = false;
    replyClock_.start();
    firstPieceNs_ = 0;
    lastSampleNs_ = 0;
    activeRequest_ = ++nextRequest_;
    const quint64 requestId = activeRequest_;
    QMetaObject::invokeMethod(worker_, [w = worker_, requestId, request] { w->generate(requestId, request); },
                              Qt::QueuedConnection);
    emit generatingChanged();
    emit statsChanged();
}

void ChatController::onPiece(quint64 requestId, const QString& text) {
    // Pieces of a stopped reply still in the event queue are dropped: stop means no more text.
    if (requestId != activeRequest_ || stopRequested_) {
        return;
    }
    const qint64 now = replyClock_.nsecsElapsed();
    if (piecesThisReply_++ == 0) {
        firstPieceNs_ = now;
    }
    writer_->append(text);
    if (streamingConversation_ == currentId_) {
        pendingView_ += text;
        if (!viewTimer_.isActive()) {
            viewTimer_.start();
        }
    }
    // Live speed: pieces after the first over the time since the first (prefill excluded).
    if (piecesThisReply_ > 1 && now > firstPieceNs_) {
        tokensPerSecond_ = (piecesThisReply_ - 1) / (static_cast<double>(now - firstPieceNs_) / 1e9);
    }
    if (now - lastSampleNs_ >= kSpeedSampleNs && piecesThisReply_ > 1) {
        lastSampleNs_ = now;
        speedHistory_.append(tokensPerSecond_);
        while (speedHistory_.size() > kSpeedHistoryLength) {
            speedHistory_.removeFirst();
        }
    }
    if (piecesThisReply_ == 1 || now - lastSampleNs_ < 1'000'000) {
        emit statsChanged();
    }
}

void ChatController::flushPiecesToView() {
    if (!pendingView_.isEmpty() && streamingConversation_ == currentId_) {
        messages_.appendText(streamingMessage_, pendingView_);
    }
    pendingView_.clear();
}

void ChatController::endReply(MessageState state, const MessageFigures& figures) {
    viewTimer_.stop();
    flushPiecesToView();
    if (writer_) {
        writer_->finish(state, figures);
        guarded([&] {
            if (const auto m = store_.message(streamingMessage_)) {
                messages_.update(*m);
            }
            if (const auto c = store_.conversation(streamingConversation_)) {
                conversations_.moveToTop(*c);
            }
        });
    }
    const qint64 finishedId = streamingMessage_;
    writer_.reset();
    activeRequest_ = 0;
    streamingConversation_ = 0;
    streamingMessage_ = 0;
    emit generatingChanged();
    emit statsChanged();
    emit replyFinished(finishedId, stateName(state));
}

void ChatController::onFinished(quint64 requestId, const engine::TurnStats& stats, int contextUsed,
                                int contextSize) {
    if (requestId != activeRequest_) {
        return;
    }
    MessageFigures figures;
    figures.promptTokens = stats.prompt_tokens;
    figures.generatedTokens = stats.generated_tokens;
    figures.promptTokensPerSecond = stats.prompt_tokens_per_second;
    figures.tokensPerSecond = stats.generation_tokens_per_second;
    figures.secondsToFirstToken = stats.time_to_first_token;
    if (stats.generated_tokens > 0) {
        tokensPerSecond_ = stats.generation_tokens_per_second;
    }
    if (stats.prompt_tokens > 0) {
        promptTokensPerSecond_ = stats.prompt_tokens_per_second;
    }
    contextUsed_ = contextUsed;
    contextSize_ = contextSize;
    const bool stopped = stopRequested_ || stats.stop_reason == engine::StopReason::Cancelled;
    endReply(stopped ? MessageState::Stopped : MessageState::Complete, figures);
    if (stats.stop_reason == engine::StopReason::ContextFull) {
        showError(tr("The conversation filled the model's context of %1 tokens; start a new chat "
                     "or raise the context length in Settings.").arg(contextSize));
    }
}

void ChatController::onFailed(quint64 requestId, const QString& message) {
    if (requestId != activeRequest_) {
        return;
    }
    endReply(MessageState::Failed, {});
    showError(message);
}

void ChatController::stop() {
    if (activeRequest_ == 0) {
        return;
    }
    stopRequested_ = true;
    worker_->stop(activeRequest_);
    // Show the text so far without waiting for the worker's answer.
    viewTimer_.stop();
    flushPiecesToView();
}

bool ChatController::regenerate() {
    if (generating() || !composerBlockedReason().isEmpty()) {
        return false;
    }
    const QList<StoredMessage>& list = messages_.messages();
    if (list.isEmpty() || list.last().role != MessageRole::Assistant) {
        return false;
    }
    const qint64 last = list.last().id;
    return guarded([&] {
        store_.deleteMessagesFrom(last);
        messages_.removeFrom(last);
        startReply();
    });
}

bool ChatController::editAndResend(qint64 messageId, const QString& text) {
    if (generating() || !composerBlockedReason().isEmpty() || text.trimmed().isEmpty()) {
        return false;
    }
    const auto message = messages_.byId(messageId);
    if (!message || message->role != MessageRole::User) {
        return false;
    }
    const bool removed = guarded([&] {
        store_.deleteMessagesFrom(messageId);
        messages_.removeFrom(messageId);
    });
    return removed && send(text);
}

void ChatController::renameConversation(qint64 id, const QString& title) {
    const QString clean = title.simplified();
    if (clean.isEmpty()) {
        return;
    }
    guarded([&] {
        store_.renameConversation(id, clean);
        conversations_.rename(id, clean);
        if (id == currentId_) {
            emit currentConversationChanged();
        }
    });
}

void ChatController::deleteConversation(qint64 id) {
    commitPendingDelete();
    if (id == streamingConversation_) {
        stop();
        endReply(MessageState::Stopped, {});
    }
    const int row = conversations_.rowOf(id);
    const auto c = conversations_.at(row);
    pendingDeleteId_ = id;
    pendingDeleteTitle_ = c ? c->title : QString();
    conversations_.remove(id);
    if (id == currentId_) {
        newConversation();
    }
    deleteTimer_.start();
    emit pendingDeleteChanged();
}

void ChatController::undoDelete() {
    if (pendingDeleteId_ == 0) {
        return;
    }
    deleteTimer_.stop();
    pendingDeleteId_ = 0;
    pendingDeleteTitle_.clear();
    refreshConversations();
    emit pendingDeleteChanged();
}

void ChatController::commitPendingDelete() {
    if (pendingDeleteId_ == 0) {
        return;
    }
    deleteTimer_.stop();
    const qint64 id = pendingDeleteId_;
    pendingDeleteId_ = 0;
    pendingDeleteTitle_.clear();
    guarded([&] { store_.deleteConversation(id); });
    emit pendingDeleteChanged();
}

bool ChatController::exportConversation(qint64 id, const QString& fileUrl) {
    const QString path = fileUrl.startsWith(QLatin1String("file:")) ? QUrl(fileUrl).toLocalFile() : fileUrl;
    return guarded([&] {
        const bool json = path.endsWith(QLatin1String(".json"), Qt::CaseInsensitive);
        const QByteArray bytes = json ? store_.exportJson(id) : store_.exportMarkdown(id).toUtf8();
        QSaveFile f(path);
        if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size() || !f.commit()) {
            throw HistoryError(tr("Cannot write %1: %2").arg(path, f.errorString()).toStdString());
        }
    });
}

} // namespace tern::app

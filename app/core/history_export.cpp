// Export of one conversation as Markdown (to read or share) and JSON (to process or re-import).
#include "history_store.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace tern::app {
namespace {

QString heading(MessageRole role) {
    switch (role) {
    case MessageRole::System: return QStringLiteral("System");
    case MessageRole::User: return QStringLiteral("You");
    case MessageRole::Assistant: return QStringLiteral("Assistant");
    }
    return {};
}

StoredConversation requireConversation(const HistoryStore& store, qint64 id) {
    const auto c = store.conversation(id);
    if (!c) {
        throw HistoryError(QStringLiteral("history database %1: no conversation with id %2")
                               .arg(store.path())
                               .arg(id)
                               .toStdString());
    }
    return *c;
}

} // namespace

QString HistoryStore::exportMarkdown(qint64 conversationId) const {
    const StoredConversation c = requireConversation(*this, conversationId);
    QString out = QStringLiteral("# %1\n\n").arg(c.title);
    out += QStringLiteral("_Exported from Tern on %1_\n")
               .arg(QDateTime::currentDateTimeUtc().toString(Qt::ISODate));
    for (const StoredMessage& m : messages(conversationId)) {
        out += QStringLiteral("\n## %1\n\n").arg(heading(m.role));
        out += m.text;
        if (!m.text.endsWith(QLatin1Char('\n'))) {
            out += QLatin1Char('\n');
        }
        if (m.role == MessageRole::Assistant && m.figures.generatedTokens > 0) {
            out += QStringLiteral("\n_%1 · %2 tokens · %3 tokens/s_\n")
                       .arg(m.model.isEmpty() ? QStringLiteral("unknown model") : m.model)
                       .arg(m.figures.generatedTokens)
                       .arg(m.figures.tokensPerSecond, 0, 'f', 1);
        }
        if (m.state == MessageState::Stopped) {
            out += QStringLiteral("\n_(stopped)_\n");
        }
    }
    return out;
}

QByteArray HistoryStore::exportJson(qint64 conversationId) const {
    const StoredConversation c = requireConversation(*this, conversationId);
    QJsonArray items;
    for (const StoredMessage& m : messages(conversationId)) {
        QJsonObject figures{{QStringLiteral("prompt_tokens"), m.figures.promptTokens},
                            {QStringLiteral("generated_tokens"), m.figures.generatedTokens},
                            {QStringLiteral("prompt_tokens_per_second"), m.figures.promptTokensPerSecond},
                            {QStringLiteral("tokens_per_second"), m.figures.tokensPerSecond},
                            {QStringLiteral("seconds_to_first_token"), m.figures.secondsToFirstToken}};
        items.append(QJsonObject{{QStringLiteral("role"), roleName(m.role)},
                                 {QStringLiteral("text"), m.text},
                                 {QStringLiteral("state"), stateName(m.state)},
                                 {QStringLiteral("created_at"), m.createdAt.toString(Qt::ISODateWithMs)},
                                 {QStringLiteral("model"), m.model},
                                 {QStringLiteral("settings"), m.settings},
                                 {QStringLiteral("figures"), figures}});
    }
    const QJsonObject root{{QStringLiteral("format"), QStringLiteral("tern-conversation")},
                           {QStringLiteral("version"), 1},
                           {QStringLiteral("title"), c.title},
                           {QStringLiteral("created_at"), c.createdAt.toString(Qt::ISODateWithMs)},
                           {QStringLiteral("updated_at"), c.updatedAt.toString(Qt::ISODateWithMs)},
                           {QStringLiteral("messages"), items}};
    return QJsonDocument(root).toJson(QJsonDocument::Indented);
}

} // namespace tern::app

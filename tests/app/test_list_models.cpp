// The sidebar and chat list models, checked by QAbstractItemModelTester on every change, and
// the Markdown block splitter behind the chat view's code boxes.
#include "conversation_list_model.h"
#include "markdown_blocks.h"
#include "message_list_model.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>

#include <gtest/gtest.h>

using namespace tern::app;

namespace {

StoredConversation conv(qint64 id, const QString& title) {
    StoredConversation c;
    c.id = id;
    c.title = title;
    c.updatedAt = QDateTime::currentDateTimeUtc();
    return c;
}

StoredMessage msg(qint64 id, MessageRole role, const QString& text) {
    StoredMessage m;
    m.id = id;
    m.role = role;
    m.text = text;
    return m;
}

QList<qint64> ids(const ConversationListModel& model) {
    QList<qint64> out;
    for (int i = 0; i < model.rowCount(); ++i) {
        out << model.idAt(i);
    }
    return out;
}

TEST(ConversationListModel, KeepsMostRecentFirstThroughEveryEdit) {
    ConversationListModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    model.setConversations({conv(3, "c"), conv(2, "b"), conv(1, "a")});
    EXPECT_EQ(ids(model), (QList<qint64>{3, 2, 1}));

    QSignalSpy moved(&model, &QAbstractItemModel::rowsMoved);
    model.moveToTop(conv(1, "a"));
    EXPECT_EQ(ids(model), (QList<qint64>{1, 3, 2}));
    EXPECT_EQ(moved.count(), 1) << "an existing row moves rather than the model resetting";

    model.moveToTop(conv(4, "d"));
    EXPECT_EQ(ids(model), (QList<qint64>{4, 1, 3, 2}));
    model.moveToTop(conv(4, "d2")); // already on top: only its data changes
    EXPECT_EQ(model.data(model.index(0), ConversationListModel::TitleRole).toString(), QStringLiteral("d2"));

    model.rename(3, QStringLiteral("renamed"));
    EXPECT_EQ(model.data(model.index(2), ConversationListModel::TitleRole).toString(), QStringLiteral("renamed"));
    model.remove(1);
    model.remove(99); // unknown: nothing happens
    EXPECT_EQ(ids(model), (QList<qint64>{4, 3, 2}));
    EXPECT_EQ(model.rowOf(2), 2);
    EXPECT_EQ(model.idAt(7), 0);
}

TEST(ConversationListModel, ExposesRolesForQml) {
    ConversationListModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    model.setConversations({conv(5, "Birds")});
    model.setSnippets({{5, QStringLiteral("about [terns]")}});
    const QHash<int, QByteArray> roles = model.roleNames();
    EXPECT_EQ(roles.value(ConversationListModel::TitleRole), QByteArray("title"));
    EXPECT_EQ(roles.value(ConversationListModel::SnippetRole), QByteArray("snippet"));
    EXPECT_EQ(model.data(model.index(0), ConversationListModel::SnippetRole).toString(), QStringLiteral("about [terns]"));
    EXPECT_EQ(model.data(model.index(0), ConversationListModel::SectionRole).toString(), QStringLiteral("Today"));
}

TEST(ConversationListModel, SectionsByDay) {
    const QDateTime now = QDateTime::currentDateTime();
    EXPECT_EQ(activitySection(now, now), QStringLiteral("Today"));
    EXPECT_EQ(activitySection(now.addDays(-1), now), QStringLiteral("Yesterday"));
    EXPECT_EQ(activitySection(now.addDays(-4), now), QStringLiteral("Previous 7 days"));
    EXPECT_EQ(activitySection(now.addDays(-40), now), QStringLiteral("Older"));
}

TEST(MessageListModel, StreamsIntoTheLastRowOnly) {
    MessageListModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    model.setMessages({msg(1, MessageRole::User, "hi")});
    model.append(msg(2, MessageRole::Assistant, ""));
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    model.appendText(2, QStringLiteral("Hel"));
    model.appendText(2, QStringLiteral("lo"));
    model.appendText(2, QString()); // nothing to add: no signal
    ASSERT_EQ(changed.count(), 2);
    for (const QList<QVariant>& args : changed) {
        EXPECT_EQ(args[0].toModelIndex().row(), 1);
        EXPECT_EQ(args[1].toModelIndex().row(), 1);
    }
    EXPECT_EQ(model.data(model.index(1), MessageListModel::TextRole).toString(), QStringLiteral("Hello"));
    EXPECT_EQ(model.data(model.index(1), MessageListModel::RoleNameRole).toString(), QStringLiteral("assistant"));

    StoredMessage done = msg(2, MessageRole::Assistant, "Hello!");
    done.state = MessageState::Stopped;
    done.figures.tokensPerSecond = 12.5;
    model.update(done);
    EXPECT_EQ(model.data(model.index(1), MessageListModel::StateRole).toString(), QStringLiteral("stopped"));
    EXPECT_DOUBLE_EQ(model.data(model.index(1), MessageListModel::TokensPerSecondRole).toDouble(), 12.5);
}

TEST(MessageListModel, RemoveFromDropsTheTail) {
    MessageListModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    model.setMessages({msg(1, MessageRole::User, "a"), msg(2, MessageRole::Assistant, "b"),
                       msg(3, MessageRole::User, "c"), msg(4, MessageRole::Assistant, "d")});
    model.removeFrom(3);
    EXPECT_EQ(model.rowCount(), 2);
    EXPECT_FALSE(model.byId(3).has_value());
    model.removeFrom(42);
    EXPECT_EQ(model.rowCount(), 2);
    const QVariantList blocks = model.data(model.index(1), MessageListModel::BlocksRole).toList();
    ASSERT_EQ(blocks.size(), 1);
}

TEST(MarkdownBlocks, SplitsProseAndFencedCode) {
    const QString text = QStringLiteral("Here is code:\n\n```python\nprint('hi')\n\nx = 1\n```\nDone.");
    const QList<MarkdownBlock> blocks = splitMarkdownBlocks(text);
    ASSERT_EQ(blocks.size(), 3);
    EXPECT_EQ(blocks[0].kind, MarkdownBlock::Kind::Prose);
    EXPECT_EQ(blocks[0].text, QStringLiteral("Here is code:"));
    EXPECT_EQ(blocks[1].kind, MarkdownBlock::Kind::Code);
    EXPECT_EQ(blocks[1].language, QStringLiteral("python"));
    EXPECT_EQ(blocks[1].text, QStringLiteral("print('hi')\n\nx = 1"));
    EXPECT_TRUE(blocks[1].closed);
    EXPECT_EQ(blocks[2].text, QStringLiteral("Done."));
}

TEST(MarkdownBlocks, ANumberedListKeepsItsNumberAfterACodeBlock) {
    const QList<MarkdownBlock> blocks =
        splitMarkdownBlocks(QStringLiteral("1. First:\n```\na\n```\n2. Second\n3. Third"));
    ASSERT_EQ(blocks.size(), 3);
    EXPECT_EQ(blocks[2].text, QStringLiteral("2\\. Second\n3. Third"));
    EXPECT_EQ(splitMarkdownBlocks(QStringLiteral("2. alone")).first().text, QStringLiteral("2. alone"));
}

TEST(MarkdownBlocks, AnOpenFenceWhileStreamingRunsToTheEnd) {
    const QList<MarkdownBlock> blocks = splitMarkdownBlocks(QStringLiteral("Try:\n```\nfor i in"));
    ASSERT_EQ(blocks.size(), 2);
    EXPECT_EQ(blocks[1].kind, MarkdownBlock::Kind::Code);
    EXPECT_EQ(blocks[1].text, QStringLiteral("for i in"));
    EXPECT_FALSE(blocks[1].closed);
}

TEST(MarkdownBlocks, FencesNeedThreeMarksAndMatchingCloser) {
    // Inline backticks are prose; a ~~~ fence is not closed by ```.
    EXPECT_EQ(splitMarkdownBlocks(QStringLiteral("use `x` and ``y``")).size(), 1);
    const QList<MarkdownBlock> blocks = splitMarkdownBlocks(QStringLiteral("~~~\n```\ninside\n~~~\nafter"));
    ASSERT_EQ(blocks.size(), 2);
    EXPECT_EQ(blocks[0].text, QStringLiteral("```\ninside"));
    EXPECT_EQ(blocks[1].text, QStringLiteral("after"));
    EXPECT_TRUE(splitMarkdownBlocks(QStringLiteral("  \n ")).isEmpty());
}

TEST(MarkdownBlocks, ProseIsSplitIntoParagraphsThatRenderTheSameAlone) {
    // Only before an ordinary paragraph: lists (tight or loose), indented continuations and
    // quotes stay with what they continue.
    const QString text = QStringLiteral(
        "First paragraph\nstill first.\n\nSecond.\n\n- a\n- b\n\n- c\n\n1. one\n\n   more of one\n\n"
        "> quoted\n\n# Heading\n\nLast.");
    const QList<MarkdownBlock> blocks = splitMarkdownBlocks(text);
    QStringList texts;
    for (const MarkdownBlock& b : blocks) {
        EXPECT_EQ(b.kind, MarkdownBlock::Kind::Prose);
        texts << b.text;
    }
    EXPECT_EQ(texts, (QStringList{
                         QStringLiteral("First paragraph\nstill first."),
                         QStringLiteral("Second.\n\n- a\n- b\n\n- c\n\n1. one\n\n   more of one\n\n> quoted"),
                         QStringLiteral("# Heading"),
                         QStringLiteral("Last."),
                     }));
}

TEST(MarkdownBlocks, WhileStreamingOnlyTheLastParagraphChanges) {
    const QString before = QStringLiteral("One.\n\nTwo.\n\nThr");
    const QList<MarkdownBlock> a = splitMarkdownBlocks(before);
    const QList<MarkdownBlock> b = splitMarkdownBlocks(before + QStringLiteral("ee, and more"));
    ASSERT_EQ(a.size(), 3);
    ASSERT_EQ(b.size(), 3);
    EXPECT_EQ(a[0], b[0]);
    EXPECT_EQ(a[1], b[1]);
    EXPECT_EQ(b[2].text, QStringLiteral("Three, and more"));
}

TEST(MarkdownBlocks, AVeryLongParagraphIsCutAtSentenceEndsIntoStablePieces) {
    QString sentence = QStringLiteral("This sentence has **bold** words and `code` in it. ");
    QString text;
    while (text.size() < 4 * kLongParagraph) {
        text += sentence;
    }
    text = text.trimmed();
    const QList<MarkdownBlock> blocks = splitMarkdownBlocks(text);
    ASSERT_GE(blocks.size(), 3);
    QString joined;
    for (int i = 0; i < blocks.size(); ++i) {
        EXPECT_EQ(blocks[i].continues, i > 0);
        EXPECT_LE(blocks[i].text.size(), kLongParagraph + sentence.size());
        EXPECT_TRUE(blocks[i].text.endsWith(QLatin1Char('.'))) << blocks[i].text.toStdString();
        joined += (i ? QStringLiteral(" ") : QString()) + blocks[i].text;
    }
    EXPECT_EQ(joined, text); // nothing lost or changed
    // Growing the text never moves an earlier cut (the view keeps those pieces as they are).
    const QList<MarkdownBlock> longer = splitMarkdownBlocks(text + QStringLiteral(" And more"));
    for (int i = 0; i + 1 < blocks.size(); ++i) {
        EXPECT_EQ(longer[i], blocks[i]) << i;
    }
    // No sentence end: cut at a space after kMaxPiece; never inside a code span.
    const QList<MarkdownBlock> words = splitMarkdownBlocks(QString(QStringLiteral("word ")).repeated(2000).trimmed());
    ASSERT_GE(words.size(), 3);
    EXPECT_LE(words[0].text.size(), kMaxPiece + 5);
    const QString span = QStringLiteral("x. `") + QString(QStringLiteral("a. ")).repeated(600) + QStringLiteral("` end.");
    for (const MarkdownBlock& b : splitMarkdownBlocks(QString(QStringLiteral("y")).repeated(kLongParagraph - 2) + span)) {
        EXPECT_EQ(b.text.count(QLatin1Char('`')) % 2, 0) << "cut inside a code span";
    }
    // Lists are not cut, however long.
    const QString list = QStringLiteral("- ") + QString(QStringLiteral("item. ")).repeated(600);
    EXPECT_EQ(splitMarkdownBlocks(list).size(), 1);
}

} // namespace

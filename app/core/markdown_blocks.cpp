#include "markdown_blocks.h"

#include <QRegularExpression>
#include <QStringList>
#include <QVariantMap>

namespace tern::app {
namespace {

// A fence is three or more backticks or tildes at the start of a line (up to three spaces of
// indent, as CommonMark allows); returns its length, 0 when the line is not a fence.
int fenceLength(const QString& line, QChar* fenceChar) {
    int i = 0;
    while (i < line.size() && i < 3 && line[i] == QLatin1Char(' ')) {
        ++i;
    }
    if (i >= line.size() || (line[i] != QLatin1Char('`') && line[i] != QLatin1Char('~'))) {
        return 0;
    }
    const QChar c = line[i];
    int n = 0;
    while (i + n < line.size() && line[i + n] == c) {
        ++n;
    }
    if (n < 3) {
        return 0;
    }
    *fenceChar = c;
    return n;
}

void pushProse(QList<MarkdownBlock>& blocks, QStringList& lines) {
    QString text = lines.join(QLatin1Char('\n')).trimmed();
    lines.clear();
    if (text.isEmpty()) {
        return;
    }
    // A numbered list interrupted by a code block continues at "2."; rendered on its own, the
    // Markdown renderer would restart it at 1, so keep the number as written.
    static const QRegularExpression continuedList(QStringLiteral("^(\\d+)\\. "));
    const QRegularExpressionMatch m = continuedList.match(text);
    if (!blocks.isEmpty() && m.hasMatch() && m.captured(1).toInt() > 1) {
        text.replace(m.capturedStart(0), m.capturedLength(0), m.captured(1) + QStringLiteral("\\. "));
    }
    blocks.append({MarkdownBlock::Kind::Prose, text, {}, true});
}

} // namespace

QList<MarkdownBlock> splitMarkdownBlocks(const QString& text) {
    QList<MarkdownBlock> blocks;
    QStringList prose;
    QStringList code;
    QString language;
    QChar openChar;
    int openLength = 0; // > 0 while inside a fence
    const QStringList lines = text.split(QLatin1Char('\n'));
    for (const QString& line : lines) {
        QChar c;
        const int n = fenceLength(line, &c);
        if (openLength == 0) {
            if (n > 0) {
                pushProse(blocks, prose);
                openChar = c;
                openLength = n;
                language = line.trimmed().mid(n).trimmed().section(QLatin1Char(' '), 0, 0);
            } else {
                prose.append(line);
            }
        } else if (n >= openLength && c == openChar && line.trimmed().size() == n) {
            blocks.append({MarkdownBlock::Kind::Code, code.join(QLatin1Char('\n')), language, true});
            code.clear();
            openLength = 0;
        } else {
            code.append(line);
        }
    }
    if (openLength > 0) {
        blocks.append({MarkdownBlock::Kind::Code, code.join(QLatin1Char('\n')), language, false});
    } else {
        pushProse(blocks, prose);
    }
    return blocks;
}

QVariantList markdownBlocksForQml(const QString& text) {
    QVariantList result;
    for (const MarkdownBlock& b : splitMarkdownBlocks(text)) {
        result.append(QVariantMap{
            {QStringLiteral("kind"), b.kind == MarkdownBlock::Kind::Code ? QStringLiteral("code") : QStringLiteral("prose")},
            {QStringLiteral("text"), b.text},
            {QStringLiteral("language"), b.language},
        });
    }
    return result;
}

} // namespace tern::app

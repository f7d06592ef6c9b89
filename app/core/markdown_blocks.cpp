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

// Does `line` (after a blank line) start an ordinary paragraph, one that cannot continue what
// came before (a list item, an indented block, a quote, a table, HTML, a link definition)?
bool startsPlainParagraph(const QString& line) {
    if (line.isEmpty() || line[0].isSpace()) {
        return false;
    }
    static const QString notPlain = QStringLiteral("-*+>|<[=_");
    if (notPlain.contains(line[0])) {
        return false;
    }
    static const QRegularExpression orderedItem(QStringLiteral("^\\d{1,9}[.)](\\s|$)"));
    return !orderedItem.match(line).hasMatch();
}

void pushParagraphs(QList<MarkdownBlock>& blocks, const QStringList& lines, bool first);

// Prose is split further at blank lines before ordinary paragraphs: rendered separately they
// look the same, and while a reply streams only its last paragraph changes, so the view lays
// out one paragraph per update instead of the whole reply (issue 9's 50 ms GUI budget).
void pushProse(QList<MarkdownBlock>& blocks, QStringList& lines) {
    QStringList paragraph;
    bool first = true;
    bool afterBlank = false;
    bool hasText = false;
    for (const QString& line : lines) {
        const bool blank = line.trimmed().isEmpty();
        if (!blank && afterBlank && hasText && startsPlainParagraph(line)) {
            pushParagraphs(blocks, paragraph, first);
            first = false;
            paragraph.clear();
        }
        paragraph.append(line);
        hasText = hasText || !blank;
        afterBlank = blank;
    }
    pushParagraphs(blocks, paragraph, first);
    lines.clear();
}

// Inline Markdown open at a point of a piece (a code span, emphasis, a link), counted as the
// piece is scanned; good enough to never cut the rare very long paragraph inside one.
struct InlineMarkup {
    int backticks = 0, stars = 0, underscores = 0, brackets = 0;
    void add(QChar c) {
        if (c == QLatin1Char('`')) ++backticks;
        else if (c == QLatin1Char('*')) ++stars;
        else if (c == QLatin1Char('_')) ++underscores;
        else if (c == QLatin1Char('[')) ++brackets;
        else if (c == QLatin1Char(']')) --brackets;
    }
    bool balanced() const { return backticks % 2 == 0 && stars % 2 == 0 && underscores % 2 == 0 && brackets == 0; }
};

// Cuts a single long ordinary paragraph into pieces: after kLongParagraph characters at the
// next sentence end, or after kMaxPiece at the next space. Where a cut falls depends only on the
// text before it, so the pieces of a streaming reply stay put as it grows.
void pushLongParagraph(QList<MarkdownBlock>& blocks, const QString& text) {
    qsizetype start = 0;
    bool continues = false;
    while (text.size() - start > kLongParagraph) {
        qsizetype cut = -1;
        InlineMarkup markup;
        for (qsizetype i = start; i + 1 < text.size(); ++i) {
            const QChar c = text[i];
            markup.add(c);
            if (i < start + kLongParagraph) {
                continue;
            }
            const bool sentenceEnd = (c == QLatin1Char('.') || c == QLatin1Char('!') || c == QLatin1Char('?')) &&
                                     text[i + 1].isSpace();
            const bool space = i - start >= kMaxPiece && c.isSpace();
            if ((sentenceEnd || space) && markup.balanced()) {
                cut = i + 1;
                break;
            }
        }
        if (cut < 0) {
            break;
        }
        blocks.append({MarkdownBlock::Kind::Prose, text.mid(start, cut - start).trimmed(), {}, true, continues});
        continues = true;
        start = cut;
        while (start < text.size() && text[start].isSpace()) {
            ++start;
        }
    }
    if (start < text.size()) {
        blocks.append({MarkdownBlock::Kind::Prose, text.mid(start), {}, true, continues});
    }
}

void pushParagraphs(QList<MarkdownBlock>& blocks, const QStringList& lines, bool first) {
    QString text = lines.join(QLatin1Char('\n')).trimmed();
    if (text.isEmpty()) {
        return;
    }
    // A numbered list interrupted by a code block continues at "2."; rendered on its own, the
    // Markdown renderer would restart it at 1, so keep the number as written.
    static const QRegularExpression continuedList(QStringLiteral("^(\\d+)\\. "));
    const QRegularExpressionMatch m = continuedList.match(text);
    if (first && !blocks.isEmpty() && m.hasMatch() && m.captured(1).toInt() > 1) {
        text.replace(m.capturedStart(0), m.capturedLength(0), m.captured(1) + QStringLiteral("\\. "));
    }
    // Only an ordinary paragraph with no blank line inside is cut (lists, quotes and tables keep
    // their structure whole).
    if (text.size() > kLongParagraph && startsPlainParagraph(text) && !text.contains(QLatin1String("\n\n")) &&
        !text.startsWith(QLatin1Char('#'))) {
        pushLongParagraph(blocks, text);
        return;
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
            {QStringLiteral("continues"), b.continues},
        });
    }
    return result;
}

} // namespace tern::app

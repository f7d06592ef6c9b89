// Splits a reply into prose and fenced code blocks, so the chat view can render prose as
// Markdown and give each code block its own monospace box with a copy button. A fence still
// open (the reply is streaming) runs to the end of the text. Prose is further split into
// paragraphs, and a paragraph longer than kLongParagraph characters into pieces, so that a
// streaming reply only ever re-lays out a bounded amount of text per update.
#pragma once

#include <QList>
#include <QString>
#include <QVariantList>

namespace tern::app {

struct MarkdownBlock {
    enum class Kind { Prose, Code };
    Kind kind = Kind::Prose;
    QString text;     // for code: the code without its fences
    QString language; // for code: the word after the opening fence, if any
    bool closed = true;
    // Prose only: this block continues the previous block's paragraph (a very long paragraph is
    // cut into pieces; the view shows them without a paragraph gap).
    bool continues = false;
    bool operator==(const MarkdownBlock&) const = default;
};

inline constexpr int kLongParagraph = 1200; // cut at the next sentence end after this many characters
inline constexpr int kMaxPiece = 2400;      // or at a space, when no sentence ends before this

QList<MarkdownBlock> splitMarkdownBlocks(const QString& text);
// The same as a list of maps {kind: "prose"|"code", text, language, continues} for QML.
QVariantList markdownBlocksForQml(const QString& text);

} // namespace tern::app

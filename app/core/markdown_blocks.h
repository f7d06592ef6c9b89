// Splits a reply into prose and fenced code blocks, so the chat view can render prose as
// Markdown and give each code block its own monospace box with a copy button. A fence still
// open (the reply is streaming) runs to the end of the text.
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
    bool operator==(const MarkdownBlock&) const = default;
};

QList<MarkdownBlock> splitMarkdownBlocks(const QString& text);
// The same as a list of maps {kind: "prose"|"code", text, language} for QML.
QVariantList markdownBlocksForQml(const QString& text);

} // namespace tern::app

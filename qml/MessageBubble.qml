import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// One message of the chat. User messages sit right in a bubble and can be edited and resent;
// replies use the full width, render Markdown with boxed code blocks, and can be copied or
// (the last one) regenerated. A reply still streaming shows a cursor.
Item {
    id: root
    property string role: "assistant"
    property string text
    property var blocks: []
    property string messageState: "complete"
    property string modelName
    property real tokensPerSecond: 0
    property int generatedTokens: 0
    property bool isLastReply: false
    property bool busy: false          // a reply is streaming somewhere: no edits now
    property bool editing: false

    signal copyRequested(string text)
    signal editAndResendRequested(string text)
    signal regenerateRequested()

    readonly property bool isUser: role === "user"
    readonly property bool streaming: messageState === "streaming"

    // A user message's actions float beside its bubble and take no room; a reply's sit under it
    // (with its figures, always shown), so nothing leaves an empty band between messages.
    readonly property bool actionsBelow: !isUser && !editing && !streaming
    implicitHeight: column.implicitHeight + (actionsBelow ? actions.implicitHeight + 4 : 0) + 12
    Accessible.role: Accessible.StaticText
    Accessible.name: (isUser ? qsTr("You said: ") : qsTr("Tern replied: ")) + text

    HoverHandler { id: hover }

    // The reply's blocks, updated in place: while a reply streams only its last paragraph
    // changes, so only that one is laid out again; a new array from the model would rebuild
    // (and re-parse the Markdown of) every block on every update.
    ListModel { id: blockModel }
    function syncBlocks() {
        const wanted = root.isUser || !root.blocks ? [] : root.blocks;
        for (let i = 0; i < wanted.length; ++i) {
            const b = { kind: wanted[i].kind, text: wanted[i].text, language: wanted[i].language || "",
                        continues: wanted[i].continues === true };
            if (i >= blockModel.count) {
                blockModel.append(b);
                continue;
            }
            const have = blockModel.get(i);
            if (have.kind !== b.kind)
                blockModel.set(i, b);
            else {
                if (have.text !== b.text)
                    blockModel.setProperty(i, "text", b.text);
                if (have.language !== b.language)
                    blockModel.setProperty(i, "language", b.language);
                if (have.continues !== b.continues)
                    blockModel.setProperty(i, "continues", b.continues);
            }
        }
        if (blockModel.count > wanted.length)
            blockModel.remove(wanted.length, blockModel.count - wanted.length);
    }
    onBlocksChanged: syncBlocks()
    onIsUserChanged: syncBlocks()
    Component.onCompleted: syncBlocks()

    ColumnLayout {
        id: column
        width: parent.width
        spacing: 4

        // The message itself.
        Rectangle {
            id: bubble
            objectName: "messageBubble"
            Layout.alignment: root.isUser ? Qt.AlignRight : Qt.AlignLeft
            Layout.preferredWidth: root.isUser && !root.editing
                                   ? Math.min(content.implicitWidth + 28, root.width * 0.8)
                                   : root.width
            implicitHeight: content.implicitHeight + (root.isUser ? 20 : 4)
            radius: 14
            color: root.isUser ? Theme.userBubble : "transparent"

            ColumnLayout {
                id: content
                x: root.isUser ? 14 : 0
                y: root.isUser ? 10 : 2
                width: bubble.width - (root.isUser ? 28 : 0)
                spacing: 10

                // Plain text for the user's own words; Markdown blocks for replies.
                TextEdit {
                    objectName: "userText"
                    visible: root.isUser && !root.editing
                    Layout.fillWidth: true
                    Layout.maximumWidth: root.width * 0.8 - 28
                    text: root.text
                    textFormat: TextEdit.PlainText
                    wrapMode: TextEdit.Wrap
                    readOnly: true
                    selectByMouse: true
                    color: Theme.text
                    font.pixelSize: Theme.fontSize
                    selectionColor: Theme.accent
                }

                Repeater {
                    model: blockModel
                    delegate: Loader {
                        id: blockLoader
                        required property string kind
                        required property string text
                        required property string language
                        required property bool continues
                        Layout.fillWidth: true
                        // The next piece of a very long paragraph: no paragraph gap before it.
                        Layout.topMargin: continues ? -content.spacing : 0
                        sourceComponent: kind === "code" ? codeComponent : proseComponent
                        Component {
                            id: proseComponent
                            TextEdit {
                                objectName: "proseText"
                                text: blockLoader.text
                                textFormat: TextEdit.MarkdownText
                                wrapMode: TextEdit.Wrap
                                readOnly: true
                                selectByMouse: true
                                color: Theme.text
                                font.pixelSize: Theme.fontSize
                                selectionColor: Theme.accent
                                onLinkActivated: (link) => Qt.openUrlExternally(link)
                            }
                        }
                        Component {
                            id: codeComponent
                            CodeBlock {
                                code: blockLoader.text
                                language: blockLoader.language
                                onCopyRequested: (text) => root.copyRequested(text)
                            }
                        }
                    }
                }

                Label {
                    objectName: "thinkingLabel"
                    visible: root.streaming && root.text.length === 0
                    text: qsTr("Reading your message…")
                    color: Theme.mutedText
                    font.italic: true
                    font.pixelSize: Theme.fontSize
                }

                Rectangle {
                    objectName: "streamingCursor"
                    visible: root.streaming && root.text.length > 0
                    width: 8
                    height: Theme.fontSize
                    color: Theme.accent
                    SequentialAnimation on opacity {
                        running: root.streaming
                        loops: Animation.Infinite
                        NumberAnimation { to: 0.2; duration: 500 }
                        NumberAnimation { to: 1; duration: 500 }
                    }
                }

                // Editing a user message in place.
                ColumnLayout {
                    visible: root.editing
                    Layout.fillWidth: true
                    spacing: 8
                    TextArea {
                        id: editor
                        objectName: "editField"
                        Layout.fillWidth: true
                        wrapMode: TextEdit.Wrap
                        color: Theme.text
                        font.pixelSize: Theme.fontSize
                        Accessible.name: qsTr("Edit your message")
                        background: Rectangle { color: Theme.surface; radius: 6; border.color: Theme.accent }
                    }
                    RowLayout {
                        Layout.alignment: Qt.AlignRight
                        SecondaryButton {
                            text: qsTr("Cancel")
                            onClicked: root.editing = false
                        }
                        PrimaryButton {
                            objectName: "resendButton"
                            text: qsTr("Send again")
                            enabled: editor.text.trim().length > 0 && !root.busy
                            onClicked: {
                                root.editing = false;
                                root.editAndResendRequested(editor.text);
                            }
                        }
                    }
                }
            }
        }
    }

    // Status and actions: under a reply, or left of a user's bubble (shown on hover).
    RowLayout {
        id: actions
        objectName: "messageActions"
        readonly property bool pinned: root.isLastReply || root.messageState === "stopped" || root.messageState === "failed"
        x: root.isUser ? bubble.x - width - 6 : 0
        y: root.isUser ? bubble.y + bubble.height - height : column.implicitHeight + 4
        spacing: 2
        visible: !root.editing && !root.streaming

        Label {
            objectName: "stateLabel"
            visible: root.messageState === "stopped" || root.messageState === "failed"
            text: root.messageState === "stopped" ? qsTr("Stopped") : qsTr("Failed")
            color: root.messageState === "failed" ? Theme.danger : Theme.mutedText
            font.pixelSize: Theme.smallFont
            rightPadding: 6
        }
        Label {
            objectName: "figuresLabel"
            visible: !root.isUser && root.generatedTokens > 0
            text: qsTr("%1 tokens · %2 tok/s").arg(root.generatedTokens).arg(root.tokensPerSecond.toFixed(1))
            color: Theme.mutedText
            font.pixelSize: Theme.smallFont
            rightPadding: 6
        }
        IconButton {
            objectName: "copyMessageButton"
            opacity: hover.hovered || actions.pinned ? 1 : 0
            Behavior on opacity { NumberAnimation { duration: 120 } }
            glyph: qsTr("Copy")
            font.pixelSize: Theme.smallFont
            implicitWidth: 44
            label: qsTr("Copy message")
            onClicked: root.copyRequested(root.text)
        }
        IconButton {
            objectName: "editMessageButton"
            visible: root.isUser
            opacity: hover.hovered ? 1 : 0
            Behavior on opacity { NumberAnimation { duration: 120 } }
            enabled: !root.busy
            glyph: "✎"
            label: qsTr("Edit and resend")
            onClicked: {
                editor.text = root.text;
                root.editing = true;
                editor.forceActiveFocus();
            }
        }
        IconButton {
            objectName: "regenerateButton"
            visible: !root.isUser && root.isLastReply
            enabled: !root.busy
            glyph: "↻"
            label: qsTr("Regenerate")
            onClicked: root.regenerateRequested()
        }
    }
}

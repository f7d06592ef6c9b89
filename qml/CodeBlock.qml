import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// A fenced code block of a reply: monospace, scrollable sideways, with its language and a copy
// button.
Rectangle {
    id: root
    property string code
    property string language
    signal copyRequested(string text)

    implicitHeight: column.implicitHeight
    color: Theme.codeBackground
    border.color: Theme.border
    radius: Theme.radius
    clip: true

    ColumnLayout {
        id: column
        width: parent.width
        spacing: 0

        RowLayout {
            Layout.fillWidth: true
            Layout.leftMargin: 12
            Layout.rightMargin: 4
            Label {
                text: root.language.length > 0 ? root.language : qsTr("code")
                color: Theme.mutedText
                font.pixelSize: Theme.smallFont
                Layout.fillWidth: true
            }
            ToolButton {
                id: copyButton
                objectName: "copyCodeButton"
                property bool copied: false
                text: copied ? qsTr("Copied") : qsTr("Copy")
                font.pixelSize: Theme.smallFont
                Accessible.name: qsTr("Copy code")
                onClicked: {
                    root.copyRequested(root.code);
                    copied = true;
                    resetCopied.restart();
                }
                Timer { id: resetCopied; interval: 1500; onTriggered: copyButton.copied = false }
                contentItem: Text {
                    text: copyButton.text
                    font: copyButton.font
                    color: copyButton.hovered ? Theme.text : Theme.mutedText
                }
                background: null
            }
        }
        Rectangle { Layout.fillWidth: true; height: 1; color: Theme.border }
        Flickable {
            Layout.fillWidth: true
            Layout.preferredHeight: codeText.implicitHeight + 20
            contentWidth: codeText.implicitWidth + 24
            flickableDirection: Flickable.HorizontalFlick
            boundsBehavior: Flickable.StopAtBounds
            clip: true
            ScrollBar.horizontal: ScrollBar { policy: ScrollBar.AsNeeded }
            TextEdit {
                id: codeText
                objectName: "codeText"
                x: 12
                y: 10
                text: root.code
                readOnly: true
                selectByMouse: true
                textFormat: TextEdit.PlainText
                font.family: Theme.monoFont
                font.pixelSize: Theme.fontSize - 1
                color: Theme.text
                selectionColor: Theme.accent
            }
        }
    }
}

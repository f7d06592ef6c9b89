import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// Where the user writes. Enter sends, Shift+Enter starts a new line. While no model is loaded
// the field is disabled and `blockedReason` says why; while a reply streams, the send button
// becomes a stop button.
Rectangle {
    id: root
    property string blockedReason
    property bool generating: false
    property alias text: input.text
    signal sendRequested(string text)
    signal stopRequested()

    function focusInput() { input.forceActiveFocus(); }
    function trySend() {
        if (root.blockedReason.length > 0 || root.generating || input.text.trim().length === 0)
            return;
        const text = input.text;
        root.sendRequested(text);
        input.clear();
    }

    implicitHeight: column.implicitHeight + 20
    color: Theme.surface
    radius: 12
    border.color: input.activeFocus ? Theme.accent : Theme.border
    border.width: input.activeFocus ? 2 : 1

    ColumnLayout {
        id: column
        anchors.fill: parent
        anchors.margins: 10
        spacing: 6

        RowLayout {
            Layout.fillWidth: true
            spacing: 8

            ScrollView {
                Layout.fillWidth: true
                Layout.preferredHeight: Math.min(Math.max(input.implicitHeight, 36), 200)
                TextArea {
                    id: input
                    objectName: "composerInput"
                    enabled: root.blockedReason.length === 0
                    placeholderText: enabled ? qsTr("Message Tern…  (Enter sends, Shift+Enter adds a line)")
                                             : root.blockedReason
                    placeholderTextColor: Theme.mutedText
                    color: Theme.text
                    wrapMode: TextEdit.Wrap
                    font.pixelSize: Theme.fontSize
                    selectByMouse: true
                    background: null
                    Accessible.name: qsTr("Message")
                    Accessible.description: root.blockedReason
                    Keys.onPressed: (event) => {
                        if ((event.key === Qt.Key_Return || event.key === Qt.Key_Enter)
                                && !(event.modifiers & Qt.ShiftModifier)) {
                            event.accepted = true;
                            root.trySend();
                        }
                    }
                }
            }

            Button {
                id: actionButton
                objectName: root.generating ? "stopButton" : "sendButton"
                Layout.alignment: Qt.AlignBottom
                implicitWidth: 40
                implicitHeight: 40
                enabled: root.generating || (root.blockedReason.length === 0 && input.text.trim().length > 0)
                text: root.generating ? "■" : "↑"
                Accessible.name: root.generating ? qsTr("Stop the reply") : qsTr("Send")
                ToolTip.text: root.generating ? qsTr("Stop (Esc)") : qsTr("Send (Enter)")
                ToolTip.visible: hovered
                ToolTip.delay: 500
                onClicked: root.generating ? root.stopRequested() : root.trySend()
                contentItem: Text {
                    text: actionButton.text
                    color: actionButton.enabled ? Theme.accentText : Theme.mutedText
                    font.pixelSize: root.generating ? 14 : 20
                    font.bold: true
                    horizontalAlignment: Text.AlignHCenter
                    verticalAlignment: Text.AlignVCenter
                }
                background: Rectangle {
                    radius: 20
                    color: !actionButton.enabled ? Theme.raised
                         : root.generating ? Theme.text
                         : (actionButton.down ? Qt.darker(Theme.accent, 1.2) : Theme.accent)
                }
            }
        }
    }
}

import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// A dismissible message across the top of the chat: errors from the engine or the history.
Rectangle {
    id: root
    property string message
    signal dismissed()

    visible: message.length > 0
    implicitHeight: visible ? row.implicitHeight + 16 : 0
    color: Theme.dangerBackground
    border.color: Theme.danger
    radius: Theme.radius
    Accessible.role: Accessible.AlertMessage
    Accessible.name: message

    RowLayout {
        id: row
        anchors.fill: parent
        anchors.margins: 8
        anchors.leftMargin: 12
        spacing: 8
        Label {
            text: "⚠"
            color: Theme.danger
            font.pixelSize: Theme.fontSize + 2
        }
        Label {
            objectName: "bannerText"
            Layout.fillWidth: true
            text: root.message
            color: Theme.text
            wrapMode: Text.Wrap
            textFormat: Text.PlainText
            font.pixelSize: Theme.fontSize
        }
        IconButton {
            objectName: "bannerDismiss"
            glyph: "✕"
            label: qsTr("Dismiss this message")
            onClicked: root.dismissed()
        }
    }
}

import QtQuick
import QtQuick.Controls

// The one button on a view that does the main thing.
Button {
    id: control
    property bool destructive: false
    Accessible.name: text
    font.pixelSize: Theme.fontSize
    padding: 8
    leftPadding: 14
    rightPadding: 14
    contentItem: Text {
        text: control.text
        font: control.font
        color: control.enabled ? Theme.accentText : Theme.mutedText
        horizontalAlignment: Text.AlignHCenter
        verticalAlignment: Text.AlignVCenter
        elide: Text.ElideRight
    }
    background: Rectangle {
        radius: Theme.radius
        color: !control.enabled ? Theme.raised
             : control.destructive ? (control.down ? Qt.darker(Theme.danger, 1.2) : Theme.danger)
             : (control.down ? Qt.darker(Theme.accent, 1.2) : (control.hovered ? Qt.lighter(Theme.accent, 1.1) : Theme.accent))
    }
}

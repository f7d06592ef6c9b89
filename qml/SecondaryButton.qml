import QtQuick
import QtQuick.Controls

Button {
    id: control
    Accessible.name: text
    font.pixelSize: Theme.fontSize
    padding: 8
    leftPadding: 14
    rightPadding: 14
    contentItem: Text {
        text: control.text
        font: control.font
        color: control.enabled ? Theme.text : Theme.mutedText
        horizontalAlignment: Text.AlignHCenter
        verticalAlignment: Text.AlignVCenter
        elide: Text.ElideRight
    }
    background: Rectangle {
        radius: Theme.radius
        color: control.down ? Theme.border : (control.hovered ? Theme.raised : "transparent")
        border.color: Theme.border
    }
}

import QtQuick
import QtQuick.Controls

// A flat button showing a glyph (text), with a tooltip; `label` is what screen readers say.
ToolButton {
    id: control
    property string glyph
    property string label
    property color glyphColor: Theme.mutedText

    text: glyph
    font.pixelSize: Theme.fontSize + 2
    Accessible.name: label
    Accessible.role: Accessible.Button
    ToolTip.text: label
    ToolTip.visible: hovered && label.length > 0
    ToolTip.delay: 500
    implicitWidth: 30
    implicitHeight: 30

    contentItem: Text {
        text: control.text
        font: control.font
        color: control.enabled ? (control.hovered ? Theme.text : control.glyphColor) : Theme.border
        horizontalAlignment: Text.AlignHCenter
        verticalAlignment: Text.AlignVCenter
    }
    background: Rectangle {
        radius: 6
        color: control.down ? Theme.border : (control.hovered ? Theme.raised : "transparent")
    }
}

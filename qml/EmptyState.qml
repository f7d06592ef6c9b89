import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// A centred notice for views that have nothing to show yet.
Item {
    id: root
    property string title
    property string detail

    implicitWidth: column.implicitWidth
    implicitHeight: column.implicitHeight

    ColumnLayout {
        id: column
        anchors.centerIn: parent
        width: Math.min(parent.width - 48, 460)
        spacing: 10

        Label {
            objectName: "emptyStateTitle"
            Layout.fillWidth: true
            text: root.title
            font.pixelSize: 22
            font.weight: Font.DemiBold
            horizontalAlignment: Text.AlignHCenter
            wrapMode: Text.WordWrap
        }
        Label {
            objectName: "emptyStateDetail"
            Layout.fillWidth: true
            text: root.detail
            opacity: 0.7
            horizontalAlignment: Text.AlignHCenter
            wrapMode: Text.WordWrap
        }
    }
}

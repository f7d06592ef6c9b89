import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

ApplicationWindow {
    id: window
    title: "Tern"
    width: 1100
    height: 720
    minimumWidth: 640
    minimumHeight: 420
    visible: true

    EmptyState {
        anchors.fill: parent
        title: qsTr("No model yet")
        detail: qsTr("Tern runs 1.58-bit language models on your CPU. The built-in demo model is not part of this build yet.")
    }
}

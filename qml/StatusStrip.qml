import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// The line under the chat: which model and CPU kernels run, how fast, how full the context is,
// and how much memory the process holds. The figures come from ChatController; this only
// formats them.
Rectangle {
    id: root
    property string modelName
    property string modelState: "none"
    property real loadProgress: 0
    property string kernelVariant
    property bool generating: false
    property bool prefilling: false
    property real tokensPerSecond: 0
    property real promptTokensPerSecond: 0
    property int contextUsed: 0
    property int contextSize: 0
    property real residentMemoryBytes: 0
    property var speedHistory: []
    signal modelClicked()

    implicitHeight: 30
    color: Theme.sidebar
    Rectangle { width: parent.width; height: 1; color: Theme.border }

    component Figure: Label {
        color: Theme.mutedText
        font.pixelSize: Theme.smallFont
        elide: Text.ElideRight
    }
    component Separator: Rectangle {
        width: 1
        height: 14
        color: Theme.border
    }

    RowLayout {
        anchors.fill: parent
        anchors.leftMargin: 12
        anchors.rightMargin: 12
        spacing: 10

        Rectangle {
            width: 8
            height: 8
            radius: 4
            color: root.modelState === "ready" ? Theme.success
                 : root.modelState === "loading" ? Theme.accent
                 : root.modelState === "failed" ? Theme.danger : Theme.mutedText
        }
        Figure {
            objectName: "modelFigure"
            Layout.maximumWidth: 260
            text: root.modelState === "ready" ? root.modelName
                : root.modelState === "loading" ? qsTr("Loading %1… %2%").arg(root.modelName).arg(Math.round(root.loadProgress * 100))
                : root.modelState === "failed" ? qsTr("Model failed to load") : qsTr("No model loaded")
            color: Theme.text
            Accessible.name: qsTr("Model: %1").arg(text)
            MouseArea {
                anchors.fill: parent
                cursorShape: Qt.PointingHandCursor
                onClicked: root.modelClicked()
            }
        }
        ProgressBar {
            objectName: "loadProgressBar"
            visible: root.modelState === "loading"
            Layout.preferredWidth: 120
            value: root.loadProgress
            Accessible.name: qsTr("Model loading progress")
        }
        Separator { visible: root.kernelVariant.length > 0 }
        Figure {
            objectName: "kernelFigure"
            visible: root.kernelVariant.length > 0
            text: qsTr("Kernels: %1").arg(root.kernelVariant)
        }
        Separator { visible: root.modelState === "ready" }
        Figure {
            objectName: "speedFigure"
            visible: root.modelState === "ready"
            text: root.prefilling ? qsTr("Reading prompt…")
                : qsTr("%1 tok/s").arg(root.tokensPerSecond > 0 ? root.tokensPerSecond.toFixed(1) : "–")
            color: root.generating ? Theme.text : Theme.mutedText
            font.bold: root.generating
        }
        SpeedChart {
            objectName: "speedChart"
            visible: root.speedHistory.length > 1
            samples: root.speedHistory
            Layout.preferredWidth: 90
            Layout.preferredHeight: 16
        }
        Figure {
            objectName: "promptSpeedFigure"
            visible: root.modelState === "ready" && root.promptTokensPerSecond > 0
            text: qsTr("prompt %1 tok/s").arg(root.promptTokensPerSecond.toFixed(0))
        }
        Separator { visible: root.contextSize > 0 }
        Figure {
            objectName: "contextFigure"
            visible: root.contextSize > 0
            text: qsTr("Context %1 / %2").arg(root.contextUsed).arg(root.contextSize)
        }
        Item { Layout.fillWidth: true }
        Figure {
            objectName: "memoryFigure"
            text: qsTr("Memory %1").arg(Theme.formatBytes(root.residentMemoryBytes))
            Accessible.name: qsTr("Resident memory %1").arg(Theme.formatBytes(root.residentMemoryBytes))
        }
    }
}

import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// What an empty chat shows: what Tern is, which model answers, prompts to start with, and on
// first run the offer to download BitNet b1.58 2B4T.
Item {
    id: root
    property string modelState: "none"
    property string modelName
    property bool offerDownload: true
    property string downloadStatus        // e.g. "Downloading… 42%" while it runs
    signal suggestionChosen(string text)
    signal downloadRequested()
    signal modelsRequested()
    signal offerDismissed()

    readonly property var suggestions: [
        qsTr("Explain ternary weights in two sentences."),
        qsTr("Write a haiku about a tern over the sea."),
        qsTr("Give me a Python one-liner that reverses a string.")
    ]

    ColumnLayout {
        anchors.centerIn: parent
        width: Math.min(parent.width - 48, 560)
        spacing: 18

        Label {
            objectName: "welcomeTitle"
            Layout.fillWidth: true
            horizontalAlignment: Text.AlignHCenter
            text: root.modelState === "ready" ? qsTr("What shall we talk about?") : qsTr("Welcome to Tern")
            font.pixelSize: Theme.fontSize + 12
            font.weight: Font.DemiBold
            color: Theme.text
            wrapMode: Text.Wrap
        }
        Label {
            objectName: "welcomeDetail"
            Layout.fillWidth: true
            horizontalAlignment: Text.AlignHCenter
            wrapMode: Text.Wrap
            color: Theme.mutedText
            font.pixelSize: Theme.fontSize
            text: root.modelState === "ready"
                  ? qsTr("%1 runs on this computer's CPU. Nothing you type leaves it.").arg(root.modelName)
                  : root.modelState === "loading"
                    ? qsTr("Loading %1…").arg(root.modelName)
                    : qsTr("Tern runs 1.58-bit language models on your CPU. No model is loaded yet: download or import one in the model manager.")
        }

        Flow {
            visible: root.modelState === "ready"
            Layout.fillWidth: true
            Layout.alignment: Qt.AlignHCenter
            spacing: 8
            Repeater {
                model: root.suggestions
                delegate: Button {
                    required property string modelData
                    objectName: "suggestion"
                    text: modelData
                    Accessible.name: qsTr("Ask: %1").arg(modelData)
                    onClicked: root.suggestionChosen(modelData)
                    font.pixelSize: Theme.smallFont + 1
                    padding: 10
                    contentItem: Text {
                        text: parent.text
                        font: parent.font
                        color: Theme.text
                        wrapMode: Text.Wrap
                    }
                    background: Rectangle {
                        radius: 16
                        color: parent.hovered ? Theme.raised : Theme.surface
                        border.color: Theme.border
                    }
                }
            }
        }

        SecondaryButton {
            visible: root.modelState !== "ready" && root.modelState !== "loading"
            Layout.alignment: Qt.AlignHCenter
            text: qsTr("Open the model manager")
            onClicked: root.modelsRequested()
        }

        // The first-run offer of the real model.
        Rectangle {
            objectName: "downloadOffer"
            visible: root.offerDownload
            Layout.fillWidth: true
            implicitHeight: offer.implicitHeight + 28
            radius: 12
            color: Theme.surface
            border.color: Theme.border

            ColumnLayout {
                id: offer
                anchors.fill: parent
                anchors.margins: 14
                spacing: 8
                RowLayout {
                    Layout.fillWidth: true
                    Label {
                        Layout.fillWidth: true
                        text: qsTr("Get BitNet b1.58 2B4T")
                        font.pixelSize: Theme.fontSize + 1
                        font.weight: Font.DemiBold
                        color: Theme.text
                    }
                    IconButton {
                        glyph: "✕"
                        label: qsTr("Not now")
                        onClicked: root.offerDismissed()
                    }
                }
                Label {
                    Layout.fillWidth: true
                    wrapMode: Text.Wrap
                    color: Theme.mutedText
                    font.pixelSize: Theme.smallFont + 1
                    text: qsTr("Microsoft's 2-billion-parameter ternary model, trained on 4 trillion tokens: a real assistant instead of the built-in demo. About 1.2 GB to download; runs in about 1.5 GB of memory.")
                }
                RowLayout {
                    Layout.fillWidth: true
                    PrimaryButton {
                        objectName: "downloadRecommendedButton"
                        visible: root.downloadStatus.length === 0
                        text: qsTr("Download")
                        onClicked: root.downloadRequested()
                    }
                    Label {
                        visible: root.downloadStatus.length > 0
                        text: root.downloadStatus
                        color: Theme.text
                        font.pixelSize: Theme.smallFont + 1
                    }
                    Item { Layout.fillWidth: true }
                    SecondaryButton {
                        text: qsTr("See all models")
                        onClicked: root.modelsRequested()
                    }
                }
            }
        }
    }
}

import QtQuick
import QtQuick.Controls
import QtQuick.Dialogs
import QtQuick.Layouts

// The model manager: every model Tern knows, with size, memory, licence and state; download
// with progress, pause, resume and cancel; use, delete, import; the folder and its free space.
// `manager` is the ModelManager, `chat` the ChatController (to load a model).
Item {
    id: root
    property var manager
    property var chat
    signal closeRequested()

    Rectangle { anchors.fill: parent; color: Theme.window }

    component Chip: Label {
        font.pixelSize: Theme.smallFont
        color: Theme.mutedText
        leftPadding: 8
        rightPadding: 8
        topPadding: 3
        bottomPadding: 3
        background: Rectangle { radius: 10; color: Theme.raised }
    }

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: 24
        spacing: 14

        RowLayout {
            Layout.fillWidth: true
            ColumnLayout {
                Layout.fillWidth: true
                spacing: 2
                Label {
                    text: qsTr("Models")
                    font.pixelSize: Theme.fontSize + 10
                    font.weight: Font.DemiBold
                    color: Theme.text
                }
                Label {
                    objectName: "folderLabel"
                    Layout.fillWidth: true
                    elide: Text.ElideMiddle
                    text: root.manager ? qsTr("%1 · %2 free").arg(root.manager.modelsFolder).arg(Theme.formatBytes(root.manager.freeDiskBytes)) : ""
                    color: Theme.mutedText
                    font.pixelSize: Theme.smallFont
                }
            }
            SecondaryButton {
                text: qsTr("Import GGUF…")
                enabled: root.manager && !root.manager.importing
                onClicked: importDialog.open()
            }
            SecondaryButton {
                text: qsTr("Open folder")
                onClicked: root.manager.openModelsFolder()
            }
            SecondaryButton { text: qsTr("Done"); onClicked: root.closeRequested() }
        }

        ProgressBar {
            objectName: "importProgress"
            visible: root.manager && root.manager.importing
            Layout.fillWidth: true
            value: root.manager ? root.manager.importProgress : 0
            Accessible.name: qsTr("Import progress")
        }

        Rectangle {
            visible: root.manager && root.manager.notice.length > 0
            Layout.fillWidth: true
            implicitHeight: noticeRow.implicitHeight + 12
            radius: Theme.radius
            color: Theme.raised
            RowLayout {
                id: noticeRow
                anchors.fill: parent
                anchors.margins: 6
                anchors.leftMargin: 12
                Label {
                    objectName: "noticeLabel"
                    Layout.fillWidth: true
                    text: root.manager ? root.manager.notice : ""
                    color: Theme.text
                    wrapMode: Text.Wrap
                }
                IconButton { glyph: "✕"; label: qsTr("Dismiss"); onClicked: root.manager.dismissNotice() }
            }
        }

        ListView {
            id: list
            objectName: "modelList"
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            spacing: 10
            model: root.manager ? root.manager.models : null
            boundsBehavior: Flickable.StopAtBounds
            ScrollBar.vertical: ScrollBar {}
            Accessible.name: qsTr("Models")

            delegate: Rectangle {
                id: card
                required property string modelId
                required property string name
                required property string description
                required property string license
                required property string parameters
                required property real sizeBytes
                required property real memoryBytes
                required property string kind
                required property string path
                required property string modelState
                required property real progress
                required property real bytesPerSecond
                required property real etaSeconds
                required property string errorText
                required property bool installed
                required property bool needsConversion
                readonly property bool loaded: root.chat && root.chat.modelPath === path && path.length > 0

                width: ListView.view.width
                implicitHeight: cardColumn.implicitHeight + 28
                radius: 12
                color: Theme.surface
                border.color: loaded ? Theme.accent : Theme.border
                border.width: loaded ? 2 : 1
                Accessible.name: name

                ColumnLayout {
                    id: cardColumn
                    anchors.fill: parent
                    anchors.margins: 14
                    spacing: 8

                    RowLayout {
                        Layout.fillWidth: true
                        spacing: 10
                        Label {
                            Layout.fillWidth: true
                            text: card.name
                            elide: Text.ElideRight
                            font.pixelSize: Theme.fontSize + 1
                            font.weight: Font.DemiBold
                            color: Theme.text
                        }
                        Label {
                            visible: card.loaded
                            text: qsTr("In use")
                            color: Theme.accent
                            font.pixelSize: Theme.smallFont
                            font.weight: Font.DemiBold
                        }
                        // Actions by state.
                        PrimaryButton {
                            objectName: "useModelButton"
                            visible: card.installed && !card.loaded
                            text: qsTr("Use")
                            enabled: root.chat && root.chat.modelState !== "loading"
                            onClicked: root.chat.loadModel(card.path)
                        }
                        PrimaryButton {
                            visible: card.modelState === "available" || card.modelState === "failed"
                            text: card.modelState === "failed" ? qsTr("Retry") : qsTr("Download")
                            onClicked: root.manager.download(card.modelId)
                        }
                        SecondaryButton {
                            visible: card.modelState === "downloading"
                            text: qsTr("Pause")
                            onClicked: root.manager.pause(card.modelId)
                        }
                        SecondaryButton {
                            visible: card.modelState === "paused"
                            text: qsTr("Resume")
                            onClicked: root.manager.resume(card.modelId)
                        }
                        SecondaryButton {
                            visible: card.modelState === "downloading" || card.modelState === "paused"
                            text: qsTr("Cancel")
                            onClicked: root.manager.cancel(card.modelId)
                        }
                        IconButton {
                            objectName: "deleteModelButton"
                            visible: card.installed && card.kind !== "builtin"
                            glyph: "🗑"
                            label: qsTr("Delete %1").arg(card.name)
                            onClicked: root.manager.deleteModel(card.modelId)
                        }
                    }
                    Label {
                        visible: card.description.length > 0
                        Layout.fillWidth: true
                        text: card.description
                        wrapMode: Text.Wrap
                        color: Theme.mutedText
                        font.pixelSize: Theme.smallFont + 1
                    }
                    Flow {
                        Layout.fillWidth: true
                        spacing: 6
                        Chip { visible: card.sizeBytes > 0; text: (card.installed ? qsTr("%1 on disk") : qsTr("%1 download")).arg(Theme.formatBytes(card.sizeBytes)) }
                        Chip { visible: card.memoryBytes > 0; text: qsTr("needs ~%1 memory").arg(Theme.formatBytes(card.memoryBytes)) }
                        Chip { visible: card.parameters.length > 0; text: qsTr("%1 parameters").arg(card.parameters) }
                        Chip { visible: card.license.length > 0; text: qsTr("License: %1").arg(card.license) }
                        Chip { visible: card.needsConversion && !card.installed; text: qsTr("converted after download") }
                        Chip { visible: card.kind === "builtin"; text: qsTr("always available") }
                    }
                    // Download or conversion in progress.
                    ColumnLayout {
                        visible: card.modelState === "downloading" || card.modelState === "paused" || card.modelState === "converting"
                        Layout.fillWidth: true
                        spacing: 4
                        ProgressBar {
                            Layout.fillWidth: true
                            value: card.progress
                            Accessible.name: card.modelState === "converting" ? qsTr("Conversion progress") : qsTr("Download progress")
                        }
                        Label {
                            color: Theme.mutedText
                            font.pixelSize: Theme.smallFont
                            text: card.modelState === "converting"
                                  ? qsTr("Converting to GGUF… %1%").arg(Math.round(card.progress * 100))
                                  : card.modelState === "paused"
                                    ? qsTr("Paused at %1%").arg(Math.round(card.progress * 100))
                                    : qsTr("%1% · %2/s · %3 left").arg(Math.round(card.progress * 100))
                                          .arg(Theme.formatBytes(card.bytesPerSecond)).arg(Theme.formatDuration(card.etaSeconds))
                        }
                    }
                    Label {
                        visible: card.errorText.length > 0
                        Layout.fillWidth: true
                        text: card.errorText
                        wrapMode: Text.Wrap
                        color: Theme.danger
                        font.pixelSize: Theme.smallFont
                    }
                }
            }

            Label {
                anchors.centerIn: parent
                visible: list.count === 0
                text: qsTr("No models yet. Import a GGUF file or download one.")
                color: Theme.mutedText
            }
        }
    }

    FileDialog {
        id: importDialog
        title: qsTr("Import a GGUF model")
        nameFilters: [qsTr("GGUF models (*.gguf)"), qsTr("All files (*)")]
        onAccepted: root.manager.importModel(selectedFile.toString())
    }
}

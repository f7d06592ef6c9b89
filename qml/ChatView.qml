import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// The open conversation: its messages (or the welcome view when it is empty), the composer,
// the error banner and the undo notice after a delete. `chat` is the ChatController.
Item {
    id: root
    property var chat
    property bool offerDownload: false
    property string downloadStatus
    signal copyRequested(string text)
    signal modelsRequested()
    signal downloadRequested()
    signal offerDismissed()

    function focusComposer() { composer.focusInput(); }

    ColumnLayout {
        anchors.fill: parent
        spacing: 0

        // Title bar of the conversation.
        Rectangle {
            Layout.fillWidth: true
            implicitHeight: 48
            color: Theme.window
            Rectangle { anchors.bottom: parent.bottom; width: parent.width; height: 1; color: Theme.border }
            Label {
                objectName: "conversationTitle"
                anchors.verticalCenter: parent.verticalCenter
                anchors.left: parent.left
                anchors.right: parent.right
                anchors.leftMargin: 20
                anchors.rightMargin: 20
                text: root.chat ? root.chat.currentTitle : ""
                elide: Text.ElideRight
                font.pixelSize: Theme.fontSize + 1
                font.weight: Font.DemiBold
                color: Theme.text
            }
        }

        Banner {
            objectName: "errorBanner"
            Layout.fillWidth: true
            Layout.margins: visible ? 12 : 0
            Layout.bottomMargin: 0
            message: root.chat ? root.chat.errorMessage : ""
            onDismissed: root.chat.dismissError()
        }

        Item {
            Layout.fillWidth: true
            Layout.fillHeight: true

            WelcomeView {
                anchors.fill: parent
                visible: messageList.count === 0
                modelState: root.chat ? root.chat.modelState : "none"
                modelName: root.chat ? root.chat.modelName : ""
                offerDownload: root.offerDownload
                downloadStatus: root.downloadStatus
                onSuggestionChosen: (text) => { composer.text = text; composer.focusInput(); }
                onModelsRequested: root.modelsRequested()
                onDownloadRequested: root.downloadRequested()
                onOfferDismissed: root.offerDismissed()
            }

            ListView {
                id: messageList
                objectName: "messageList"
                anchors.fill: parent
                visible: count > 0
                model: root.chat ? root.chat.messages : null
                clip: true
                spacing: 8
                topMargin: 20
                bottomMargin: 20
                boundsBehavior: Flickable.StopAtBounds
                ScrollBar.vertical: ScrollBar {}
                Accessible.name: qsTr("Messages")
                // Follow the reply as it grows, unless the user scrolled up to read.
                property bool following: true
                onMovementEnded: following = atYEnd
                onCountChanged: { following = true; Qt.callLater(positionViewAtEnd); }
                onContentHeightChanged: if (following) Qt.callLater(positionViewAtEnd)

                // A wrapper, because MessageBubble's own properties have the roles' names.
                delegate: Item {
                    id: row
                    required property var messageId
                    required property string role
                    required property string text
                    required property var blocks
                    required property string messageState
                    required property string modelName
                    required property real tokensPerSecond
                    required property int generatedTokens
                    required property int index
                    width: messageList.width
                    height: bubble.implicitHeight

                    MessageBubble {
                        id: bubble
                        x: Math.max(20, (row.width - width) / 2)
                        width: Math.min(row.width - 40, 820)
                        role: row.role
                        text: row.text
                        blocks: row.blocks
                        messageState: row.messageState
                        modelName: row.modelName
                        tokensPerSecond: row.tokensPerSecond
                        generatedTokens: row.generatedTokens
                        isLastReply: row.index === messageList.count - 1 && row.role === "assistant"
                        busy: root.chat.generating
                        onCopyRequested: (text) => root.copyRequested(text)
                        onEditAndResendRequested: (text) => root.chat.editAndResend(row.messageId, text)
                        onRegenerateRequested: root.chat.regenerate()
                    }
                }
            }
        }

        Composer {
            id: composer
            objectName: "composer"
            Layout.fillWidth: true
            Layout.maximumWidth: 860
            Layout.alignment: Qt.AlignHCenter
            Layout.leftMargin: 20
            Layout.rightMargin: 20
            Layout.bottomMargin: 14
            Layout.topMargin: 4
            blockedReason: root.chat ? root.chat.composerBlockedReason : qsTr("Starting…")
            generating: root.chat ? root.chat.generating : false
            onSendRequested: (text) => root.chat.send(text)
            onStopRequested: root.chat.stop()
        }
    }

    // "Deleted … Undo", for the seconds a delete can still be taken back.
    Rectangle {
        objectName: "undoToast"
        visible: root.chat && root.chat.pendingDeleteTitle.length > 0
        anchors.horizontalCenter: parent.horizontalCenter
        anchors.bottom: parent.bottom
        anchors.bottomMargin: composer.height + 30
        width: toastRow.implicitWidth + 24
        height: 44
        radius: 22
        color: Theme.text
        RowLayout {
            id: toastRow
            anchors.centerIn: parent
            spacing: 12
            Label {
                text: qsTr("Deleted “%1”").arg(root.chat ? root.chat.pendingDeleteTitle : "")
                color: Theme.window
                elide: Text.ElideRight
                Layout.maximumWidth: 320
                font.pixelSize: Theme.fontSize
            }
            Button {
                objectName: "undoButton"
                text: qsTr("Undo")
                flat: true
                Accessible.name: qsTr("Undo delete")
                onClicked: root.chat.undoDelete()
                contentItem: Text { text: parent.text; color: Theme.accent; font.bold: true; font.pixelSize: Theme.fontSize }
                background: null
            }
        }
    }
}

import QtQuick
import QtQuick.Controls
import QtQuick.Dialogs
import QtQuick.Layouts

// The window: sidebar, the current page (chat, models, settings) and the status strip.
// The C++ side hands over its controllers as required properties (see app/gui/main.cpp).
ApplicationWindow {
    id: window
    required property var chat
    required property var settings
    required property var models      // ModelManager
    required property var clipboard

    property string page: "chat"      // "chat", "models", "settings"

    title: "Tern"
    width: 1180
    height: 760
    minimumWidth: 720
    minimumHeight: 480
    visible: true
    color: Theme.window
    font.pixelSize: Theme.fontSize

    SystemPalette { id: systemPalette }
    Binding {
        target: Theme
        property: "dark"
        value: window.settings.theme === "dark"
               || (window.settings.theme === "system" && systemPalette.window.hslLightness < 0.5)
    }
    Binding { target: Theme; property: "fontSize"; value: window.settings.fontSize }

    // Controls of the Basic style take their colours from the palette.
    palette.window: Theme.window
    palette.windowText: Theme.text
    palette.base: Theme.surface
    palette.text: Theme.text
    palette.button: Theme.raised
    palette.buttonText: Theme.text
    palette.highlight: Theme.accent
    palette.highlightedText: Theme.accentText
    palette.placeholderText: Theme.mutedText
    palette.mid: Theme.border
    palette.light: Theme.raised
    palette.dark: Theme.border

    function showPage(name) {
        page = name;
        if (name === "chat")
            chatView.focusComposer();
    }

    Shortcut {
        sequence: "Ctrl+N"
        onActivated: { window.chat.newConversation(); window.showPage("chat"); }
    }
    Shortcut {
        sequence: "Ctrl+F"
        onActivated: { window.page = "chat"; sidebar.focusSearch(); }
    }
    Shortcut {
        sequences: ["Ctrl+,", StandardKey.Preferences]
        onActivated: window.page = "settings"
    }
    Shortcut {
        sequence: "Esc"
        onActivated: {
            if (window.chat.generating)
                window.chat.stop();
            else if (window.page !== "chat")
                window.showPage("chat");
        }
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: 0

        RowLayout {
            Layout.fillWidth: true
            Layout.fillHeight: true
            spacing: 0

            Sidebar {
                id: sidebar
                objectName: "sidebar"
                Layout.preferredWidth: 272
                Layout.fillHeight: true
                conversations: window.chat.conversations
                currentId: window.chat.currentConversationId
                searchText: window.chat.searchText
                page: window.page
                onNewChatRequested: { window.chat.newConversation(); window.showPage("chat"); }
                onConversationSelected: (id) => { window.chat.selectConversation(id); window.showPage("chat"); }
                onRenameRequested: (id, title) => window.chat.renameConversation(id, title)
                onDeleteRequested: (id) => window.chat.deleteConversation(id)
                onExportRequested: (id, format) => {
                    exportDialog.conversationId = id;
                    exportDialog.defaultSuffix = format;
                    exportDialog.nameFilters = format === "json" ? [qsTr("JSON (*.json)")] : [qsTr("Markdown (*.md)")];
                    exportDialog.open();
                }
                onSearchEdited: (text) => window.chat.searchText = text
                onModelsRequested: window.page = "models"
                onSettingsRequested: window.page = "settings"
            }

            StackLayout {
                Layout.fillWidth: true
                Layout.fillHeight: true
                currentIndex: ["chat", "models", "settings"].indexOf(window.page)

                ChatView {
                    id: chatView
                    objectName: "chatView"
                    chat: window.chat
                    offerDownload: !window.settings.welcomeDismissed && window.models && !window.models.recommendedInstalled
                    downloadStatus: window.models ? window.models.recommendedStatus : ""
                    onCopyRequested: (text) => window.clipboard.copy(text)
                    onModelsRequested: window.page = "models"
                    onDownloadRequested: { window.models.downloadRecommended(); }
                    onOfferDismissed: window.settings.welcomeDismissed = true
                }
                ModelManagerPage {
                    objectName: "modelManagerPage"
                    manager: window.models
                    chat: window.chat
                    onCloseRequested: window.showPage("chat")
                }
                SettingsPage {
                    objectName: "settingsPage"
                    settings: window.settings
                    onCloseRequested: window.showPage("chat")
                }
            }
        }

        StatusStrip {
            objectName: "statusStrip"
            Layout.fillWidth: true
            modelName: window.chat.modelName
            modelState: window.chat.modelState
            loadProgress: window.chat.loadProgress
            kernelVariant: window.chat.kernelVariant
            generating: window.chat.generating
            prefilling: window.chat.prefilling
            tokensPerSecond: window.chat.tokensPerSecond
            promptTokensPerSecond: window.chat.promptTokensPerSecond
            contextUsed: window.chat.contextUsed
            contextSize: window.chat.contextSize
            residentMemoryBytes: window.chat.residentMemoryBytes
            speedHistory: window.chat.speedHistory
            onModelClicked: window.page = "models"
        }
    }

    FileDialog {
        id: exportDialog
        property var conversationId: 0
        title: qsTr("Export conversation")
        fileMode: FileDialog.SaveFile
        onAccepted: window.chat.exportConversation(conversationId, selectedFile.toString())
    }

    Component.onCompleted: chatView.focusComposer()
}

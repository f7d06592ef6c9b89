import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// The conversation list: new chat, search (full text, with snippets), rename in place, delete,
// export; the model manager and settings at the bottom.
Rectangle {
    id: root
    property var conversations        // ConversationListModel (or any model with the same roles)
    property var currentId: 0
    property string searchText
    property string page: "chat"

    signal newChatRequested()
    signal conversationSelected(var id)
    signal renameRequested(var id, string title)
    signal deleteRequested(var id)
    signal exportRequested(var id, string format)
    signal searchEdited(string text)
    signal modelsRequested()
    signal settingsRequested()

    function focusSearch() { search.forceActiveFocus(); search.selectAll(); }

    color: Theme.sidebar
    Rectangle { anchors.right: parent.right; width: 1; height: parent.height; color: Theme.border }

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: 10
        anchors.rightMargin: 11
        spacing: 8

        RowLayout {
            Layout.fillWidth: true
            Label {
                text: "Tern"
                font.pixelSize: Theme.largeFont
                font.weight: Font.Bold
                color: Theme.text
                Layout.fillWidth: true
                leftPadding: 4
            }
            IconButton {
                objectName: "newChatButton"
                glyph: "✚"
                label: qsTr("New chat (Ctrl+N)")
                onClicked: root.newChatRequested()
            }
        }

        TextField {
            id: search
            objectName: "searchField"
            Layout.fillWidth: true
            placeholderText: qsTr("Search chats (Ctrl+F)")
            placeholderTextColor: Theme.mutedText
            color: Theme.text
            font.pixelSize: Theme.fontSize
            text: root.searchText
            selectByMouse: true
            Accessible.name: qsTr("Search conversations")
            onTextEdited: root.searchEdited(text)
            Keys.onEscapePressed: { text = ""; root.searchEdited(""); }
            background: Rectangle {
                radius: Theme.radius
                color: Theme.surface
                border.color: search.activeFocus ? Theme.accent : Theme.border
            }
        }

        ListView {
            id: list
            objectName: "conversationList"
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            model: root.conversations
            spacing: 2
            boundsBehavior: Flickable.StopAtBounds
            ScrollBar.vertical: ScrollBar {}
            Accessible.name: qsTr("Conversations")
            Accessible.role: Accessible.List
            section.property: root.searchText.length > 0 ? "" : "section"
            section.delegate: Label {
                required property string section
                text: section
                color: Theme.mutedText
                font.pixelSize: Theme.smallFont
                font.weight: Font.DemiBold
                topPadding: 10
                bottomPadding: 4
                leftPadding: 8
            }

            delegate: ItemDelegate {
                id: row
                required property var conversationId
                required property string title
                required property string snippet
                required property int index
                property bool renaming: false
                readonly property bool current: conversationId === root.currentId

                width: ListView.view.width
                Accessible.name: title
                highlighted: current
                onClicked: root.conversationSelected(conversationId)
                padding: 8
                leftPadding: 10

                background: Rectangle {
                    radius: Theme.radius
                    color: row.current ? Theme.selection : (row.hovered ? Theme.raised : "transparent")
                }
                contentItem: RowLayout {
                    spacing: 4
                    ColumnLayout {
                        Layout.fillWidth: true
                        spacing: 2
                        Label {
                            visible: !row.renaming
                            Layout.fillWidth: true
                            text: row.title
                            elide: Text.ElideRight
                            color: Theme.text
                            font.pixelSize: Theme.fontSize
                            font.weight: row.current ? Font.DemiBold : Font.Normal
                        }
                        TextField {
                            id: renameField
                            objectName: "renameField"
                            visible: row.renaming
                            Layout.fillWidth: true
                            text: row.title
                            color: Theme.text
                            font.pixelSize: Theme.fontSize
                            Accessible.name: qsTr("New title")
                            onAccepted: { root.renameRequested(row.conversationId, text); row.renaming = false; }
                            Keys.onEscapePressed: row.renaming = false
                            onActiveFocusChanged: if (!activeFocus) row.renaming = false
                        }
                        Label {
                            visible: row.snippet.length > 0
                            Layout.fillWidth: true
                            text: row.snippet
                            elide: Text.ElideRight
                            maximumLineCount: 2
                            wrapMode: Text.Wrap
                            color: Theme.mutedText
                            font.pixelSize: Theme.smallFont
                        }
                    }
                    IconButton {
                        objectName: "conversationMenuButton"
                        visible: row.hovered || row.current || menu.visible
                        glyph: "⋯"
                        label: qsTr("More for %1").arg(row.title)
                        onClicked: menu.popup()
                        Menu {
                            id: menu
                            MenuItem {
                                text: qsTr("Rename")
                                onTriggered: { row.renaming = true; renameField.forceActiveFocus(); renameField.selectAll(); }
                            }
                            MenuItem { text: qsTr("Export as Markdown…"); onTriggered: root.exportRequested(row.conversationId, "md") }
                            MenuItem { text: qsTr("Export as JSON…"); onTriggered: root.exportRequested(row.conversationId, "json") }
                            MenuSeparator {}
                            MenuItem { text: qsTr("Delete"); onTriggered: root.deleteRequested(row.conversationId) }
                        }
                    }
                }
            }

            Label {
                anchors.centerIn: parent
                width: parent.width - 20
                visible: list.count === 0
                horizontalAlignment: Text.AlignHCenter
                wrapMode: Text.Wrap
                text: root.searchText.length > 0 ? qsTr("No chat mentions “%1”.").arg(root.searchText)
                                                 : qsTr("Your chats will appear here.")
                color: Theme.mutedText
                font.pixelSize: Theme.smallFont
            }
        }

        Rectangle { Layout.fillWidth: true; height: 1; color: Theme.border }

        component NavButton: ItemDelegate {
            id: nav
            property string glyph
            property bool active: false
            Layout.fillWidth: true
            Accessible.name: text
            padding: 8
            contentItem: RowLayout {
                spacing: 10
                Label { text: nav.glyph; color: Theme.mutedText; font.pixelSize: Theme.fontSize + 1 }
                Label { text: nav.text; color: Theme.text; font.pixelSize: Theme.fontSize; Layout.fillWidth: true }
            }
            background: Rectangle {
                radius: Theme.radius
                color: nav.active ? Theme.selection : (nav.hovered ? Theme.raised : "transparent")
            }
        }
        NavButton {
            objectName: "modelsButton"
            glyph: "◫"
            text: qsTr("Models")
            active: root.page === "models"
            onClicked: root.modelsRequested()
        }
        NavButton {
            objectName: "settingsButton"
            glyph: "⚙"
            text: qsTr("Settings")
            active: root.page === "settings"
            onClicked: root.settingsRequested()
        }
    }
}

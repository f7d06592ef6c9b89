import QtQuick
import QtQuick.Controls
import QtQuick.Dialogs
import QtQuick.Layouts

// Every setting, grouped; changes apply and persist at once (engine settings at the next model
// load). `settings` is the SettingsController.
Item {
    id: root
    property var settings
    signal closeRequested()

    component Section: Label {
        Layout.fillWidth: true
        Layout.topMargin: 18
        font.pixelSize: Theme.fontSize + 2
        font.weight: Font.DemiBold
        color: Theme.text
    }
    component Hint: Label {
        Layout.fillWidth: true
        Layout.alignment: Qt.AlignVCenter // beside a spin box, level with its value
        verticalAlignment: Text.AlignVCenter
        wrapMode: Text.Wrap
        color: Theme.mutedText
        font.pixelSize: Theme.smallFont
    }
    component FieldLabel: Label {
        Layout.preferredWidth: 190
        color: Theme.text
        font.pixelSize: Theme.fontSize
        wrapMode: Text.Wrap
    }
    component Field: TextField {
        Layout.fillWidth: true
        color: Theme.text
        font.pixelSize: Theme.fontSize
        selectByMouse: true
        placeholderTextColor: Theme.mutedText
        background: Rectangle { radius: 6; color: Theme.surface; border.color: parent.activeFocus ? Theme.accent : Theme.border }
    }
    // A slider for a real-valued sampling setting, with its value beside it.
    component RealSetting: RowLayout {
        id: real
        property string label
        property real value
        property real from: 0
        property real to: 1
        property real step: 0.05
        property int decimals: 2
        signal moved(real value)
        Layout.fillWidth: true
        FieldLabel { text: real.label }
        Slider {
            Layout.fillWidth: true
            from: real.from
            to: real.to
            stepSize: real.step
            value: real.value
            Accessible.name: real.label
            onMoved: real.moved(value)
        }
        Label {
            Layout.preferredWidth: 48
            text: real.value.toFixed(real.decimals)
            color: Theme.text
            font.pixelSize: Theme.fontSize
            horizontalAlignment: Text.AlignRight
        }
    }

    Rectangle { anchors.fill: parent; color: Theme.window }

    ScrollView {
        id: scroll
        anchors.fill: parent
        contentWidth: availableWidth

        ColumnLayout {
            width: Math.min(scroll.availableWidth - 48, 720)
            x: Math.max(24, (scroll.availableWidth - width) / 2)
            spacing: 10

            RowLayout {
                Layout.fillWidth: true
                Layout.topMargin: 20
                Label {
                    Layout.fillWidth: true
                    text: qsTr("Settings")
                    font.pixelSize: Theme.fontSize + 10
                    font.weight: Font.DemiBold
                    color: Theme.text
                }
                SecondaryButton { text: qsTr("Done"); onClicked: root.closeRequested() }
            }

            Section { text: qsTr("Appearance") }
            RowLayout {
                FieldLabel { text: qsTr("Theme") }
                ComboBox {
                    objectName: "themeBox"
                    Layout.preferredWidth: 200
                    model: [qsTr("Follow the system"), qsTr("Light"), qsTr("Dark")]
                    readonly property var values: ["system", "light", "dark"]
                    currentIndex: Math.max(0, values.indexOf(root.settings.theme))
                    Accessible.name: qsTr("Theme")
                    onActivated: (i) => root.settings.theme = values[i]
                }
            }
            RowLayout {
                FieldLabel { text: qsTr("Text size") }
                SpinBox {
                    objectName: "fontSizeBox"
                    from: 9
                    to: 28
                    value: root.settings.fontSize
                    editable: true
                    Accessible.name: qsTr("Text size")
                    onValueModified: root.settings.fontSize = value
                }
            }

            Section { text: qsTr("Conversation") }
            FieldLabel { text: qsTr("System prompt") }
            TextArea {
                objectName: "systemPromptField"
                Layout.fillWidth: true
                Layout.preferredHeight: Math.max(70, implicitHeight)
                text: root.settings.systemPrompt
                placeholderText: qsTr("Instructions the model sees before every conversation, e.g. “Answer briefly.”")
                placeholderTextColor: Theme.mutedText
                wrapMode: TextEdit.Wrap
                color: Theme.text
                font.pixelSize: Theme.fontSize
                Accessible.name: qsTr("System prompt")
                onEditingFinished: root.settings.systemPrompt = text
                background: Rectangle { radius: 6; color: Theme.surface; border.color: parent.activeFocus ? Theme.accent : Theme.border }
            }
            FieldLabel { text: qsTr("Chat template override") }
            TextArea {
                objectName: "templateField"
                Layout.fillWidth: true
                Layout.preferredHeight: Math.max(60, implicitHeight)
                text: root.settings.chatTemplateOverride
                placeholderText: qsTr("Empty: use the template the model carries.")
                placeholderTextColor: Theme.mutedText
                wrapMode: TextEdit.Wrap
                color: Theme.text
                font.family: Theme.monoFont
                font.pixelSize: Theme.fontSize - 1
                Accessible.name: qsTr("Chat template override")
                onEditingFinished: root.settings.chatTemplateOverride = text
                background: Rectangle { radius: 6; color: Theme.surface; border.color: parent.activeFocus ? Theme.accent : Theme.border }
            }

            RowLayout {
                Layout.fillWidth: true
                Section { text: qsTr("Sampling") }
                SecondaryButton {
                    Layout.topMargin: 18
                    text: qsTr("Reset to defaults")
                    onClicked: root.settings.resetSampling()
                }
            }
            RealSetting {
                label: qsTr("Temperature")
                value: root.settings.temperature
                to: 2
                onMoved: (v) => root.settings.temperature = v
            }
            Hint { text: qsTr("0 always picks the likeliest word; higher is more varied.") }
            RowLayout {
                FieldLabel { text: qsTr("Top-k") }
                SpinBox {
                    from: 0; to: 1000; editable: true
                    value: root.settings.topK
                    Accessible.name: qsTr("Top-k")
                    onValueModified: root.settings.topK = value
                }
                Hint { text: qsTr("0 turns it off.") }
            }
            RealSetting {
                label: qsTr("Top-p")
                value: root.settings.topP
                onMoved: (v) => root.settings.topP = v
            }
            RealSetting {
                label: qsTr("Min-p")
                value: root.settings.minP
                step: 0.01
                to: 0.5
                onMoved: (v) => root.settings.minP = v
            }
            RealSetting {
                label: qsTr("Repetition penalty")
                value: root.settings.repetitionPenalty
                from: 1
                to: 2
                step: 0.01
                onMoved: (v) => root.settings.repetitionPenalty = v
            }
            RowLayout {
                FieldLabel { text: qsTr("Seed") }
                SpinBox {
                    from: 0; to: 2147483647; editable: true
                    value: root.settings.seed
                    Accessible.name: qsTr("Seed")
                    onValueModified: root.settings.seed = value
                }
                Hint { text: qsTr("The same seed and settings give the same reply.") }
            }
            RowLayout {
                FieldLabel { text: qsTr("Longest reply (tokens)") }
                SpinBox {
                    from: 1; to: 32768; editable: true; stepSize: 64
                    value: root.settings.maxTokens
                    Accessible.name: qsTr("Longest reply in tokens")
                    onValueModified: root.settings.maxTokens = value
                }
            }

            Section { text: qsTr("Engine") }
            Hint { text: qsTr("These apply the next time a model is loaded.") }
            RowLayout {
                FieldLabel { text: qsTr("Threads") }
                SpinBox {
                    objectName: "threadsBox"
                    from: 0; to: root.settings.maxThreads; editable: true
                    value: root.settings.threads
                    Accessible.name: qsTr("Threads")
                    textFromValue: (v) => v === 0 ? qsTr("Auto") : String(v)
                    valueFromText: (t) => t === qsTr("Auto") ? 0 : parseInt(t)
                    onValueModified: root.settings.threads = value
                }
                Hint { text: qsTr("Auto uses one thread per physical core.") }
            }
            RowLayout {
                FieldLabel { text: qsTr("Context length (tokens)") }
                SpinBox {
                    from: 0; to: 131072; stepSize: 256; editable: true
                    value: root.settings.contextLength
                    Accessible.name: qsTr("Context length")
                    textFromValue: (v) => v === 0 ? qsTr("Model's own") : String(v)
                    valueFromText: (t) => t === qsTr("Model's own") ? 0 : parseInt(t)
                    onValueModified: root.settings.contextLength = value
                }
            }

            Section { text: qsTr("Models and network") }
            RowLayout {
                Layout.fillWidth: true
                FieldLabel { text: qsTr("Models folder") }
                Field {
                    objectName: "modelsFolderField"
                    text: root.settings.modelsFolder
                    Accessible.name: qsTr("Models folder")
                    onEditingFinished: root.settings.modelsFolder = text
                }
                SecondaryButton { text: qsTr("Choose…"); onClicked: folderDialog.open() }
            }
            RowLayout {
                Layout.fillWidth: true
                FieldLabel { text: qsTr("Hugging Face endpoint") }
                Field {
                    text: root.settings.hubEndpoint
                    Accessible.name: qsTr("Hugging Face endpoint")
                    onEditingFinished: root.settings.hubEndpoint = text
                }
            }
            RowLayout {
                Layout.fillWidth: true
                FieldLabel { text: qsTr("Hugging Face token") }
                Field {
                    objectName: "tokenField"
                    text: root.settings.hubToken
                    echoMode: TextInput.Password
                    placeholderText: qsTr("Only needed for gated models")
                    Accessible.name: qsTr("Hugging Face token")
                    onEditingFinished: root.settings.hubToken = text
                }
            }
            Hint { text: root.settings.hubTokenLocation }
            RowLayout {
                Layout.fillWidth: true
                FieldLabel { text: qsTr("Proxy") }
                Field {
                    text: root.settings.proxy
                    placeholderText: qsTr("e.g. http://proxy.example:3128 (empty: none)")
                    Accessible.name: qsTr("Proxy")
                    onEditingFinished: root.settings.proxy = text
                }
            }
            Item { Layout.preferredHeight: 30 }
        }
    }

    FolderDialog {
        id: folderDialog
        title: qsTr("Choose the models folder")
        onAccepted: root.settings.modelsFolder = selectedFolder.toString()
    }
}

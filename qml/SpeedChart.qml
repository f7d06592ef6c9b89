import QtQuick

// Tokens per second over the current reply, as thin bars (newest right), scaled to the highest.
Item {
    id: root
    property var samples: []
    readonly property real peak: {
        let p = 0;
        for (let i = 0; i < samples.length; ++i)
            p = Math.max(p, samples[i]);
        return p;
    }
    readonly property int barCount: Math.max(1, Math.floor(width / 3))
    readonly property var visibleSamples: samples.slice(Math.max(0, samples.length - barCount))

    implicitWidth: 90
    implicitHeight: 18
    Accessible.role: Accessible.Chart
    Accessible.name: qsTr("Tokens per second over this reply")

    Rectangle {
        anchors.bottom: parent.bottom
        width: parent.width
        height: 1
        color: Theme.border
    }
    Item {
        objectName: "bars"
        anchors.fill: parent
        Repeater {
            model: root.visibleSamples
            Rectangle {
                required property var modelData
                required property int index
                // Newest on the right, 3 px per bar.
                x: root.width - (root.visibleSamples.length - index) * 3
                width: 2
                height: root.peak > 0 ? Math.max(1, root.height * modelData / root.peak) : 1
                y: root.height - height
                color: Theme.accent
                radius: 1
            }
        }
    }
}

pragma Singleton
import QtQuick

// Colours, sizes and fonts in one place. Main.qml sets `dark` (from the theme setting or the
// system palette) and `fontSize` (from Settings); everything else follows.
QtObject {
    property bool dark: false
    property int fontSize: 14

    readonly property color window: dark ? "#17181c" : "#ffffff"
    readonly property color sidebar: dark ? "#1f2026" : "#f4f5f7"
    readonly property color surface: dark ? "#24262d" : "#ffffff"
    readonly property color raised: dark ? "#2c2f37" : "#f0f1f4"
    readonly property color border: dark ? "#3a3d46" : "#dfe1e6"
    readonly property color text: dark ? "#e8e9ed" : "#1b1d22"
    readonly property color mutedText: dark ? "#9a9ead" : "#676b76"
    readonly property color accent: dark ? "#6ea8ff" : "#2563eb"
    readonly property color accentText: "#ffffff"
    readonly property color userBubble: dark ? "#2b3a55" : "#e8effd"
    readonly property color codeBackground: dark ? "#121317" : "#f6f7f9"
    readonly property color danger: dark ? "#ff7b72" : "#c62828"
    readonly property color dangerBackground: dark ? "#3b1f22" : "#fdecea"
    readonly property color success: dark ? "#56d364" : "#1a7f37"
    readonly property color selection: dark ? "#33384a" : "#e3e8f3"

    readonly property int radius: 8
    readonly property int spacing: 12
    readonly property int smallFont: Math.max(9, fontSize - 2)
    readonly property int largeFont: fontSize + 4
    readonly property string monoFont: "monospace"

    // 1536 -> "1.5 KB": sizes for people, in the units file managers use.
    function formatBytes(bytes) {
        if (!(bytes > 0))
            return "0 B";
        const units = ["B", "KB", "MB", "GB", "TB"];
        let i = 0;
        let v = bytes;
        while (v >= 1024 && i < units.length - 1) {
            v /= 1024;
            ++i;
        }
        return (i === 0 ? v.toFixed(0) : v.toFixed(v < 10 ? 1 : 0)) + " " + units[i];
    }

    // 75 -> "1 min 15 s"
    function formatDuration(seconds) {
        if (!(seconds >= 0) || !isFinite(seconds))
            return "–";
        const s = Math.round(seconds);
        if (s < 60)
            return s + " s";
        const m = Math.floor(s / 60);
        if (m < 60)
            return m + " min " + (s % 60) + " s";
        return Math.floor(m / 60) + " h " + (m % 60) + " min";
    }
}

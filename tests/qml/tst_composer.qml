import QtQuick
import QtTest
import Tern

TestCase {
    id: testCase
    name: "Composer"
    width: 600
    height: 200
    when: windowShown
    visible: true // TestCase hides itself by default; `visible` checks need it shown

    Component {
        id: composerComponent
        Composer { width: 500 }
    }
    SignalSpy { id: sendSpy; signalName: "sendRequested" }
    SignalSpy { id: stopSpy; signalName: "stopRequested" }

    function make(props) {
        const c = createTemporaryObject(composerComponent, testCase, props || {});
        sendSpy.clear();
        stopSpy.clear();
        sendSpy.target = c;
        stopSpy.target = c;
        return c;
    }

    function test_enterSendsAndClears() {
        const c = make();
        const input = findChild(c, "composerInput");
        input.forceActiveFocus();
        keyClick("H");
        keyClick("i");
        keyClick(Qt.Key_Return);
        compare(sendSpy.count, 1);
        compare(sendSpy.signalArguments[0][0], "Hi");
        compare(input.text, "", "the field empties after sending");
    }

    function test_shiftEnterAddsALine() {
        const c = make();
        const input = findChild(c, "composerInput");
        input.forceActiveFocus();
        keyClick("a");
        keyClick(Qt.Key_Return, Qt.ShiftModifier);
        keyClick("b");
        compare(sendSpy.count, 0);
        compare(input.text, "a\nb");
        keyClick(Qt.Key_Enter);
        compare(sendSpy.count, 1);
        compare(sendSpy.signalArguments[0][0], "a\nb");
    }

    function test_blankTextIsNotSent() {
        const c = make();
        findChild(c, "composerInput").forceActiveFocus();
        keyClick(Qt.Key_Space);
        keyClick(Qt.Key_Return);
        compare(sendSpy.count, 0);
        verify(!findChild(c, "sendButton").enabled);
    }

    function test_blockedShowsTheReasonAndRefuses() {
        const c = make({ blockedReason: "No model is loaded yet." });
        const input = findChild(c, "composerInput");
        verify(!input.enabled);
        compare(input.placeholderText, "No model is loaded yet.");
        compare(input.Accessible.description, "No model is loaded yet.");
        c.text = "hello";
        c.trySend();
        compare(sendSpy.count, 0);
        verify(!findChild(c, "sendButton").enabled);
    }

    function test_whileGeneratingTheButtonStops() {
        const c = make({ generating: true });
        const stop = findChild(c, "stopButton");
        verify(stop !== null);
        verify(stop.enabled);
        compare(stop.Accessible.name, "Stop the reply");
        mouseClick(stop);
        compare(stopSpy.count, 1);
        c.text = "queued";
        c.trySend();
        compare(sendSpy.count, 0, "nothing is sent while a reply streams");
    }
}

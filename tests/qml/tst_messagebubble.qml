import QtQuick
import QtTest
import Tern

TestCase {
    id: testCase
    name: "MessageBubble"
    width: 700
    height: 500
    when: windowShown
    visible: true // TestCase hides itself by default; `visible` checks need it shown

    Component {
        id: bubbleComponent
        MessageBubble { width: 600 }
    }
    SignalSpy { id: copySpy; signalName: "copyRequested" }
    SignalSpy { id: resendSpy; signalName: "editAndResendRequested" }
    SignalSpy { id: regenSpy; signalName: "regenerateRequested" }

    function make(props) {
        const b = createTemporaryObject(bubbleComponent, testCase, props);
        for (const spy of [copySpy, resendSpy, regenSpy]) {
            spy.clear();
            spy.target = b;
        }
        return b;
    }

    function findAll(item, objectName, out) {
        out = out || [];
        if (item.objectName === objectName)
            out.push(item);
        for (let i = 0; i < item.children.length; ++i)
            findAll(item.children[i], objectName, out);
        return out;
    }

    function test_replyRendersProseAndCodeBlocksWithCopy() {
        const b = make({
            role: "assistant",
            text: "Intro\n```js\nlet x = 1;\n```",
            blocks: [{ kind: "prose", text: "**Intro**", language: "" },
                     { kind: "code", text: "let x = 1;", language: "js" }]
        });
        tryVerify(() => findAll(b, "codeText").length === 1);
        compare(findAll(b, "codeText")[0].text, "let x = 1;");
        const prose = findAll(b, "proseText");
        compare(prose.length, 1);
        verify(prose[0].getText(0, prose[0].length).indexOf("Intro") >= 0);
        verify(prose[0].getText(0, prose[0].length).indexOf("**") < 0, "Markdown is rendered, not shown raw");
        mouseClick(findAll(b, "copyCodeButton")[0]);
        compare(copySpy.count, 1);
        compare(copySpy.signalArguments[0][0], "let x = 1;");
    }

    function test_copyWholeMessage() {
        const b = make({ role: "user", text: "my question" });
        const copy = findChild(b, "copyMessageButton");
        copy.clicked();
        compare(copySpy.signalArguments[0][0], "my question");
    }

    function test_userMessageCanBeEditedAndResent() {
        const b = make({ role: "user", text: "orginal" });
        verify(findChild(b, "regenerateButton").visible === false);
        findChild(b, "editMessageButton").clicked();
        verify(b.editing);
        const field = findChild(b, "editField");
        compare(field.text, "orginal");
        field.text = "original";
        findChild(b, "resendButton").clicked();
        compare(resendSpy.count, 1);
        compare(resendSpy.signalArguments[0][0], "original");
        verify(!b.editing);
    }

    function test_editingIsRefusedWhileBusy() {
        const b = make({ role: "user", text: "q", busy: true });
        verify(!findChild(b, "editMessageButton").enabled);
    }

    function test_lastReplyOffersRegenerate() {
        const b = make({ role: "assistant", text: "a", blocks: [{ kind: "prose", text: "a", language: "" }],
                         isLastReply: true, generatedTokens: 12, tokensPerSecond: 24.25 });
        const regen = findChild(b, "regenerateButton");
        verify(regen.visible);
        regen.clicked();
        compare(regenSpy.count, 1);
        compare(findChild(b, "figuresLabel").text, "12 tokens · 24.3 tok/s");
    }

    function test_streamingShowsCursorOrReadingNotice() {
        const waiting = make({ role: "assistant", text: "", blocks: [], messageState: "streaming" });
        verify(findChild(waiting, "thinkingLabel").visible);
        const flowing = make({ role: "assistant", text: "Hel", blocks: [{ kind: "prose", text: "Hel", language: "" }],
                               messageState: "streaming" });
        verify(findChild(flowing, "streamingCursor").visible);
        verify(!findChild(flowing, "thinkingLabel").visible);
    }

    function test_stoppedAndFailedAreLabelled() {
        compare(findChild(make({ role: "assistant", text: "x", messageState: "stopped" }), "stateLabel").text, "Stopped");
        const failed = findChild(make({ role: "assistant", text: "", messageState: "failed" }), "stateLabel");
        verify(failed.visible);
        compare(failed.text, "Failed");
    }

    // The actions under a user's message used to reserve an empty band (hidden by opacity only)
    // between the question and the reply: now they float left of the bubble and take no room.
    function test_userActionsTakeNoRoomBelowTheBubble() {
        const b = make({ role: "user", text: "a short question" });
        const bubble = findChild(b, "messageBubble");
        const actions = findChild(b, "messageActions");
        tryVerify(() => bubble.height > 0 && actions.width > 0);
        compare(b.implicitHeight, bubble.height + 12);
        verify(actions.x + actions.width <= bubble.x, "actions left of the bubble");
        verify(actions.x >= 0, "actions inside the message's width");
        verify(actions.y >= bubble.y && actions.y + actions.height <= bubble.y + bubble.height + 1,
               "actions beside the bubble, not below it");
        compare(findChild(b, "copyMessageButton").opacity, 0); // until hovered
    }

    function test_replyActionsSitBelowTheReplyInsideItsHeight() {
        const b = make({ role: "assistant", text: "a", blocks: [{ kind: "prose", text: "a", language: "" }],
                         generatedTokens: 3, tokensPerSecond: 10 });
        const bubble = findChild(b, "messageBubble");
        const actions = findChild(b, "messageActions");
        tryVerify(() => bubble.height > 0 && actions.height > 0);
        verify(actions.y >= bubble.y + bubble.height, "below the reply");
        verify(actions.y + actions.height <= b.implicitHeight, "inside the message's height");
        verify(findChild(b, "figuresLabel").visible, "a reply's figures are always shown");
    }
}

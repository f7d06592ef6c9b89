import QtQuick
import QtTest
import Tern

TestCase {
    id: testCase
    name: "Sidebar"
    width: 300
    height: 600
    when: windowShown
    visible: true

    ListModel {
        id: conversationData
        ListElement { conversationId: 3; title: "Puffins"; snippet: ""; section: "Today" }
        ListElement { conversationId: 2; title: "Kernels"; snippet: "the [ternary] kernels"; section: "Yesterday" }
    }
    Component {
        id: sidebarComponent
        Sidebar { width: 280; height: 600; conversations: conversationData; currentId: 3 }
    }
    SignalSpy { id: selected; signalName: "conversationSelected" }
    SignalSpy { id: searched; signalName: "searchEdited" }
    SignalSpy { id: renamed; signalName: "renameRequested" }
    SignalSpy { id: newChat; signalName: "newChatRequested" }

    function make() {
        const s = createTemporaryObject(sidebarComponent, testCase);
        for (const spy of [selected, searched, renamed, newChat]) {
            spy.clear();
            spy.target = s;
        }
        return s;
    }

    function test_listsConversationsAndSelects() {
        const s = make();
        const list = findChild(s, "conversationList");
        tryCompare(list, "count", 2);
        waitForRendering(list);
        const item = list.itemAtIndex(1);
        verify(item !== null);
        compare(item.Accessible.name, "Kernels");
        mouseClick(item);
        compare(selected.count, 1);
        compare(selected.signalArguments[0][0], 2);
    }

    function test_typingInSearchEmits() {
        const s = make();
        s.focusSearch();
        keyClick("t");
        keyClick("e");
        compare(searched.count, 2);
        compare(searched.signalArguments[1][0], "te");
        keyClick(Qt.Key_Escape);
        compare(searched.signalArguments[2][0], "", "Esc clears the search");
    }

    function test_renameInPlace() {
        const s = make();
        const list = findChild(s, "conversationList");
        tryCompare(list, "count", 2);
        const row = list.itemAtIndex(0);
        row.renaming = true;
        const field = findChild(row, "renameField");
        verify(field.visible);
        field.forceActiveFocus();
        field.selectAll();
        keyClick("Z");
        keyClick(Qt.Key_Return);
        compare(renamed.count, 1);
        compare(renamed.signalArguments[0][0], 3);
        compare(renamed.signalArguments[0][1], "Z");
        verify(!row.renaming);
    }

    function test_newChatButton() {
        const s = make();
        findChild(s, "newChatButton").clicked();
        compare(newChat.count, 1);
        compare(findChild(s, "newChatButton").Accessible.name, "New chat (Ctrl+N)");
    }
}

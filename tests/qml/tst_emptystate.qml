import QtQuick
import QtTest
import Tern

TestCase {
    id: testCase
    name: "EmptyState"
    width: 400
    height: 300
    when: windowShown

    Component {
        id: emptyStateComponent
        EmptyState {}
    }

    function findByName(item, objectName) {
        if (item.objectName === objectName)
            return item;
        for (let i = 0; i < item.children.length; ++i) {
            const found = findByName(item.children[i], objectName);
            if (found)
                return found;
        }
        return null;
    }

    function test_showsTitleAndDetail() {
        const view = createTemporaryObject(emptyStateComponent, testCase,
                                           { title: "No model yet", detail: "Pick one" });
        verify(view !== null);
        compare(findByName(view, "emptyStateTitle").text, "No model yet");
        compare(findByName(view, "emptyStateDetail").text, "Pick one");
    }

    function test_titleWrapsInsteadOfOverflowing() {
        const view = createTemporaryObject(emptyStateComponent, testCase,
                                           { width: 200, height: 300,
                                             title: "A rather long title that cannot fit on one line" });
        const title = findByName(view, "emptyStateTitle");
        verify(title.lineCount > 1, "the title should wrap in a narrow view");
        verify(title.width <= view.width);
    }
}

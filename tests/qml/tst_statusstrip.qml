import QtQuick
import QtTest
import Tern

TestCase {
    id: testCase
    name: "StatusStrip"
    width: 1100
    height: 60
    when: windowShown
    visible: true // TestCase hides itself by default; `visible` checks need it shown

    Component {
        id: stripComponent
        StatusStrip { width: 1100 }
    }

    function test_noModel() {
        const s = createTemporaryObject(stripComponent, testCase, { modelState: "none" });
        compare(findChild(s, "modelFigure").text, "No model loaded");
        verify(!findChild(s, "kernelFigure").visible);
        verify(!findChild(s, "speedFigure").visible);
    }

    function test_loadingShowsProgress() {
        const s = createTemporaryObject(stripComponent, testCase,
                                        { modelState: "loading", modelName: "demo", loadProgress: 0.42 });
        compare(findChild(s, "modelFigure").text, "Loading demo… 42%");
        const bar = findChild(s, "loadProgressBar");
        verify(bar.visible);
        compare(bar.value, 0.42);
    }

    function test_readyShowsEveryFigure() {
        const s = createTemporaryObject(stripComponent, testCase, {
            modelState: "ready", modelName: "BitNet 2B", kernelVariant: "avx2",
            tokensPerSecond: 23.456, promptTokensPerSecond: 180.4, contextUsed: 312, contextSize: 4096,
            residentMemoryBytes: 1.5 * 1024 * 1024 * 1024, speedHistory: [10, 20, 30]
        });
        compare(findChild(s, "modelFigure").text, "BitNet 2B");
        compare(findChild(s, "kernelFigure").text, "Kernels: avx2");
        compare(findChild(s, "speedFigure").text, "23.5 tok/s");
        compare(findChild(s, "promptSpeedFigure").text, "prompt 180 tok/s");
        compare(findChild(s, "contextFigure").text, "Context 312 / 4096");
        compare(findChild(s, "memoryFigure").text, "Memory 1.5 GB");
        verify(findChild(s, "speedChart").visible);
    }

    function test_prefillSaysSo() {
        const s = createTemporaryObject(stripComponent, testCase,
                                        { modelState: "ready", generating: true, prefilling: true });
        compare(findChild(s, "speedFigure").text, "Reading prompt…");
    }
}

import QtQuick
import QtTest
import Tern

// Small components: the error banner, the speed chart, the welcome view, Theme's formatting.
TestCase {
    id: testCase
    name: "Widgets"
    width: 800
    height: 600
    when: windowShown
    visible: true // TestCase hides itself by default; `visible` checks need it shown

    Component { id: bannerComponent; Banner { width: 500 } }
    Component { id: chartComponent; SpeedChart { width: 30; height: 20 } }
    Component { id: welcomeComponent; WelcomeView { width: 700; height: 600 } }
    SignalSpy { id: spy }

    function test_bannerShowsAndDismisses() {
        const b = createTemporaryObject(bannerComponent, testCase, { message: "" });
        verify(!b.visible);
        b.message = "model.gguf: not a GGUF file";
        verify(b.visible);
        compare(findChild(b, "bannerText").text, "model.gguf: not a GGUF file");
        compare(b.Accessible.name, "model.gguf: not a GGUF file");
        spy.target = null;
        spy.signalName = "dismissed";
        spy.target = b;
        spy.clear();
        mouseClick(findChild(b, "bannerDismiss"));
        compare(spy.count, 1);
    }

    function test_speedChartScalesToThePeakAndKeepsTheNewest() {
        const c = createTemporaryObject(chartComponent, testCase, { samples: [5, 10, 20] });
        const bars = findChild(c, "bars");
        tryVerify(() => bars.children.length === 4, 1000, "3 bars + the Repeater");
        compare(c.peak, 20);
        compare(bars.children[2].height, 20);
        compare(bars.children[0].height, 5);
        const many = [];
        for (let i = 0; i < 50; ++i)
            many.push(i + 1);
        c.samples = many;
        compare(c.visibleSamples.length, 10, "30 px wide at 3 px a bar");
        compare(c.visibleSamples[9], 50);
    }

    function test_welcomeOffersSuggestionsOnlyWithAModel() {
        const w = createTemporaryObject(welcomeComponent, testCase, { modelState: "none" });
        compare(findChild(w, "welcomeTitle").text, "Welcome to Tern");
        w.modelState = "ready";
        w.modelName = "demo";
        compare(findChild(w, "welcomeTitle").text, "What shall we talk about?");
        spy.target = null;
        spy.signalName = "suggestionChosen";
        spy.target = w;
        spy.clear();
        const suggestion = findChild(w, "suggestion");
        verify(suggestion !== null);
        suggestion.clicked();
        compare(spy.count, 1);
        compare(spy.signalArguments[0][0], w.suggestions[0]);
    }

    function test_welcomeDownloadOffer() {
        const w = createTemporaryObject(welcomeComponent, testCase, { offerDownload: true });
        verify(findChild(w, "downloadOffer").visible);
        spy.target = null;
        spy.signalName = "downloadRequested";
        spy.target = w;
        spy.clear();
        findChild(w, "downloadRecommendedButton").clicked();
        compare(spy.count, 1);
        w.downloadStatus = "Downloading… 5%";
        verify(!findChild(w, "downloadRecommendedButton").visible);
        w.offerDownload = false;
        verify(!findChild(w, "downloadOffer").visible);
    }

    function test_themeFormatsSizesAndDurations() {
        compare(Theme.formatBytes(0), "0 B");
        compare(Theme.formatBytes(512), "512 B");
        compare(Theme.formatBytes(1536), "1.5 KB");
        compare(Theme.formatBytes(1190000000), "1.1 GB");
        compare(Theme.formatDuration(42), "42 s");
        compare(Theme.formatDuration(75), "1 min 15 s");
        compare(Theme.formatDuration(-1), "–");
    }
}

// Pause, resume and cancel from another thread, and the limit on concurrent downloads.
#include "hub_test_fixture.h"

#include <thread>

namespace tern::testing {
namespace {

using downloader::DownloadControl;
using downloader::DownloadProgress;
using downloader::HubClient;
using downloader::HubError;
using downloader::HubErrorKind;

// Waits until `predicate` holds, polling; false after `timeout`.
template <typename Predicate>
bool eventually(Predicate predicate, std::chrono::milliseconds timeout = 5000ms) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!predicate()) {
        if (std::chrono::steady_clock::now() > deadline) {
            return false;
        }
        std::this_thread::sleep_for(2ms);
    }
    return true;
}

class HubControlTest : public HubTest {
protected:
    void SetUp() override {
        HubTest::SetUp();
        big_ = random_bytes(1 << 20, 7);
        hub_.add_repo(kRepo, {{"big.bin", {big_, true}}});
        hub_.set_chunk_delay(3ms); // 64 chunks of 16 KiB: about 0.2 s for the whole file
    }
    std::string big_;
    std::atomic<std::uint64_t> done_{0};
};

TEST_F(HubControlTest, PauseStopsTheTransferAndResumeContinuesWithARange) {
    HubClient client(settings());
    DownloadControl control;
    std::exception_ptr error;
    std::thread worker([&] {
        try {
            client.download(request(), control, [&](const DownloadProgress& p) { done_ = p.bytes_done; });
        } catch (...) {
            error = std::current_exception();
        }
    });
    ASSERT_TRUE(eventually([&] { return done_ > 200000; }));
    control.pause();
    std::this_thread::sleep_for(300ms); // let the abort land
    const std::uint64_t paused_at = done_;
    std::this_thread::sleep_for(250ms);
    EXPECT_EQ(done_.load(), paused_at) << "no bytes may arrive while paused";
    EXPECT_LT(paused_at, big_.size());
    EXPECT_FALSE(fs::exists(model_file("big.bin")));
    control.resume();
    worker.join();
    ASSERT_FALSE(error);
    EXPECT_EQ(read_file(model_file("big.bin")), big_);
    const auto storage = hub_.requests_to("storage");
    ASSERT_GE(storage.size(), 2u);
    EXPECT_EQ(storage.back().range, "bytes=" + std::to_string(paused_at) + "-");
}

TEST_F(HubControlTest, CancelLeavesAResumablePartFileAndNoFinalFile) {
    HubClient client(settings());
    DownloadControl control;
    std::exception_ptr error;
    std::thread worker([&] {
        try {
            client.download(request(), control, [&](const DownloadProgress& p) { done_ = p.bytes_done; });
        } catch (...) {
            error = std::current_exception();
        }
    });
    ASSERT_TRUE(eventually([&] { return done_ > 100000; }));
    control.cancel();
    worker.join();
    ASSERT_TRUE(error);
    try {
        std::rethrow_exception(error);
    } catch (const HubError& e) {
        EXPECT_EQ(e.kind(), HubErrorKind::Cancelled);
        EXPECT_TRUE(contains(e.what(), "cancelled")) << e.what();
        EXPECT_TRUE(contains(e.what(), "continues")) << e.what();
    }
    EXPECT_FALSE(fs::exists(model_file("big.bin")));
    const auto part = fs::file_size(model_file("big.bin.part"));
    EXPECT_GT(part, 100000u);
    EXPECT_LT(part, big_.size());

    DownloadControl again;
    client.download(request(), again);
    EXPECT_EQ(read_file(model_file("big.bin")), big_);
    EXPECT_EQ(hub_.requests_to("storage").back().range, "bytes=" + std::to_string(part) + "-");
}

TEST_F(HubControlTest, CancelWhilePausedEndsTheDownload) {
    HubClient client(settings());
    DownloadControl control;
    control.pause();
    std::thread canceller([&] {
        std::this_thread::sleep_for(100ms);
        control.cancel();
    });
    try {
        client.download(request(), control);
        ADD_FAILURE() << "should have been cancelled";
    } catch (const HubError& e) {
        EXPECT_EQ(e.kind(), HubErrorKind::Cancelled);
    }
    canceller.join();
    EXPECT_FALSE(fs::exists(model_file("big.bin")));
}

TEST_F(HubControlTest, CancelInterruptsABackoffWait) {
    hub_.set_fault("big.bin", {MockFault::RateLimited, 0, -1, 30});
    HubClient client(settings());
    DownloadControl control;
    std::thread canceller([&] {
        std::this_thread::sleep_for(200ms);
        control.cancel();
    });
    const auto start = std::chrono::steady_clock::now();
    EXPECT_THROW(client.download(request(), control), HubError);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 3s); // not the 30 s Retry-After
    canceller.join();
}

TEST_F(HubControlTest, NoMoreFilesDownloadAtOnceThanTheLimit) {
    std::map<std::string, MockFile> files;
    for (int i = 0; i < 4; ++i) {
        files["shard-" + std::to_string(i) + ".bin"] = {random_bytes(100000, 10u + static_cast<unsigned>(i)), true};
    }
    hub_.add_repo(kRepo, files);
    for (const int limit : {1, 2}) {
        MockHub local; // fresh counters per limit
        local.add_repo(kRepo, files);
        local.set_chunk_delay(30ms); // ~0.2 s per file, so two slots really overlap
        auto s = settings();
        s.endpoint = local.endpoint();
        s.max_concurrent_downloads = limit;
        HubClient client(s);
        DownloadControl control;
        auto r = request();
        r.destination = dir_ / ("limit" + std::to_string(limit));
        client.download(r, control);
        EXPECT_LE(local.max_concurrent_transfers(), limit) << "limit " << limit;
        EXPECT_EQ(local.max_concurrent_transfers(), limit) << "limit " << limit << " was not used";
        for (const auto& [name, file] : files) {
            EXPECT_EQ(read_file(r.destination / name), file.content);
        }
    }
}

TEST_F(HubControlTest, OneClientLimitsDownloadsStartedFromSeveralThreads) {
    auto s = settings();
    s.max_concurrent_downloads = 1;
    HubClient client(s);
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int i = 0; i < 3; ++i) {
        threads.emplace_back([&, i] {
            DownloadControl control;
            auto r = request();
            r.destination = dir_ / ("copy" + std::to_string(i));
            try {
                client.download(r, control);
            } catch (...) {
                ++failures;
            }
        });
    }
    for (auto& t : threads) {
        t.join();
    }
    EXPECT_EQ(failures.load(), 0);
    EXPECT_EQ(hub_.max_concurrent_transfers(), 1);
}

} // namespace
} // namespace tern::testing

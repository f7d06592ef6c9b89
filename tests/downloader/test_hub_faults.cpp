// Every fault the mock hub can produce: after each, nothing corrupt sits under a final name,
// a resume continues from the right offset, and the error says what happened and what to do.
#include "hub_test_fixture.h"

#include <cerrno>

namespace tern::testing {
namespace {

using downloader::DownloadControl;
using downloader::HubClient;
using downloader::HubError;
using downloader::HubErrorKind;

// Runs a download expected to fail and returns its error.
HubError expect_failure(HubClient& client, const downloader::DownloadRequest& request) {
    DownloadControl control;
    try {
        client.download(request, control);
    } catch (const HubError& e) {
        return e;
    }
    ADD_FAILURE() << "the download should have failed";
    return HubError(HubErrorKind::InvalidResponse, "no error");
}

TEST_F(HubTest, ConnectionDroppedMidFileIsResumedFromTheRightOffset) {
    hub_.set_fault("model.safetensors", {MockFault::DropAfterBytes, 150000, 1});
    HubClient client(settings());
    DownloadControl control;
    client.download(request(), control);
    EXPECT_EQ(read_file(model_file("model.safetensors")), weights_);
    const auto storage = hub_.requests_to("storage");
    ASSERT_EQ(storage.size(), 2u);
    EXPECT_TRUE(storage[0].range.empty());
    EXPECT_EQ(storage[1].range, "bytes=150000-");
}

TEST_F(HubTest, StalledTransferHitsTheLowSpeedTimeoutAndResumes) {
    hub_.set_fault("model.safetensors", {MockFault::StallAfterBytes, 70000, 1, 0, 20000ms});
    auto s = settings();
    s.stall_timeout = 300ms;
    HubClient client(s);
    DownloadControl control;
    const auto start = std::chrono::steady_clock::now();
    client.download(request(), control);
    const auto elapsed = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(read_file(model_file("model.safetensors")), weights_);
    EXPECT_LT(elapsed, 5s); // the 20 s stall was cut short by the stall timeout
    const auto storage = hub_.requests_to("storage");
    ASSERT_GE(storage.size(), 2u);
    EXPECT_EQ(storage[1].range, "bytes=70000-");
}

TEST_F(HubTest, StalledApiCallFailsWithATimeoutThatSaysWhatToDo) {
    hub_.set_listing_fault({MockFault::StallAfterBytes, 0, -1, 0, 20000ms});
    auto s = settings();
    s.stall_timeout = 200ms;
    s.max_attempts = 2;
    HubClient client(s);
    const auto error = expect_failure(client, request());
    EXPECT_EQ(error.kind(), HubErrorKind::Timeout);
    EXPECT_TRUE(contains(error.what(), "stalled")) << error.what();
    EXPECT_TRUE(contains(error.what(), "internet connection")) << error.what();
    EXPECT_TRUE(contains(error.what(), "Gave up after 2 attempts")) << error.what();
}

TEST_F(HubTest, ServerErrorsAreRetriedUntilSuccess) {
    hub_.set_fault("model.safetensors", {MockFault::ServerError, 0, 2});
    hub_.set_listing_fault({MockFault::ServerError, 0, 1});
    HubClient client(settings());
    DownloadControl control;
    client.download(request(), control);
    EXPECT_EQ(read_file(model_file("model.safetensors")), weights_);
    EXPECT_EQ(hub_.requests_to("storage").size(), 3u);
}

TEST_F(HubTest, PersistentServerErrorsGiveUpWithAClearMessageAndNoFile) {
    hub_.set_fault("model.safetensors", {MockFault::ServerError, 0, -1});
    auto s = settings();
    s.max_attempts = 3;
    HubClient client(s);
    const auto error = expect_failure(client, request());
    EXPECT_EQ(error.kind(), HubErrorKind::Server);
    EXPECT_TRUE(error.is_transient());
    EXPECT_EQ(error.http_status(), 500);
    EXPECT_TRUE(contains(error.what(), "HTTP 500")) << error.what();
    EXPECT_TRUE(contains(error.what(), "resume later")) << error.what();
    EXPECT_TRUE(contains(error.what(), "Gave up after 3 attempts")) << error.what();
    EXPECT_FALSE(fs::exists(model_file("model.safetensors")));
}

TEST_F(HubTest, RateLimitHonoursRetryAfter) {
    hub_.set_fault("model.safetensors", {MockFault::RateLimited, 0, 1, 1});
    HubClient client(settings()); // backoff is 10 ms: only Retry-After explains a 1 s wait
    DownloadControl control;
    const auto start = std::chrono::steady_clock::now();
    client.download(request(), control);
    const auto elapsed = std::chrono::steady_clock::now() - start;
    EXPECT_GE(elapsed, 950ms);
    EXPECT_LT(elapsed, 5s);
    EXPECT_EQ(read_file(model_file("model.safetensors")), weights_);
}

TEST_F(HubTest, RateLimitThatNeverEndsSaysSoAndSuggestsAToken) {
    hub_.set_listing_fault({MockFault::RateLimited, 0, -1, 0});
    auto s = settings();
    s.max_attempts = 2;
    HubClient client(s);
    const auto error = expect_failure(client, request());
    EXPECT_EQ(error.kind(), HubErrorKind::RateLimited);
    EXPECT_TRUE(contains(error.what(), "429")) << error.what();
    EXPECT_TRUE(contains(error.what(), "token")) << error.what();
}

TEST_F(HubTest, WrongBytesAreCaughtByTheChecksumAndNeverReachTheFinalName) {
    hub_.set_fault("model.safetensors", {MockFault::WrongBytes, 0, 1});
    HubClient client(settings());
    const auto error = expect_failure(client, request());
    EXPECT_EQ(error.kind(), HubErrorKind::ChecksumMismatch);
    EXPECT_TRUE(contains(error.what(), "model.safetensors")) << error.what();
    EXPECT_TRUE(contains(error.what(), "SHA-256")) << error.what();
    EXPECT_TRUE(contains(error.what(), "download it again")) << error.what();
    EXPECT_FALSE(fs::exists(model_file("model.safetensors")));
    EXPECT_FALSE(fs::exists(model_file("model.safetensors.part")));
    // The next attempt gets good bytes and succeeds from scratch.
    DownloadControl control;
    client.download(request(), control);
    EXPECT_EQ(read_file(model_file("model.safetensors")), weights_);
    EXPECT_TRUE(hub_.requests_to("storage").back().range.empty());
}

TEST_F(HubTest, WrongBytesInAGitFileAreCaughtByItsGitObjectId) {
    hub_.set_fault("config.json", {MockFault::WrongBytes, 0, 1});
    HubClient client(settings());
    const auto error = expect_failure(client, request());
    EXPECT_EQ(error.kind(), HubErrorKind::ChecksumMismatch);
    EXPECT_TRUE(contains(error.what(), "'config.json'")) << error.what();
    EXPECT_TRUE(contains(error.what(), "git object id")) << error.what();
    EXPECT_FALSE(fs::exists(model_file("config.json")));
    EXPECT_FALSE(fs::exists(model_file("config.json.part")));
}

TEST_F(HubTest, AServerIgnoringRangeRestartsTheFileCleanly) {
    hub_.set_fault("model.safetensors", {MockFault::DropAfterBytes, 90000, 1});
    {
        auto s = settings();
        s.max_attempts = 1;
        HubClient client(s);
        expect_failure(client, request());
    }
    hub_.set_fault("model.safetensors", {MockFault::IgnoreRange, 0, 1});
    HubClient client(settings());
    DownloadControl control;
    client.download(request(), control);
    EXPECT_EQ(read_file(model_file("model.safetensors")), weights_);
    EXPECT_EQ(hub_.requests_to("storage").back().range, "bytes=90000-"); // asked, got 200, restarted
}

TEST_F(HubTest, AResumeAtTheWrongOffsetIsRefusedAndTheFileRestarted) {
    hub_.set_fault("model.safetensors", {MockFault::DropAfterBytes, 90000, 1});
    {
        auto s = settings();
        s.max_attempts = 1;
        HubClient client(s);
        expect_failure(client, request());
    }
    hub_.set_fault("model.safetensors", {MockFault::WrongRangeStart, 0, 1});
    HubClient client(settings());
    DownloadControl control;
    client.download(request(), control);
    EXPECT_EQ(read_file(model_file("model.safetensors")), weights_);
}

TEST_F(HubTest, AFullDiskStopsWithAClearErrorAndResumesAfterSpaceIsFreed) {
    auto s = settings();
    std::atomic<std::uint64_t> written{0};
    constexpr std::uint64_t kQuota = 120000;
    s.filesystem.write = [&](const void* data, std::size_t size, std::FILE* file) -> std::size_t {
        // A disk that fills up after kQuota bytes: write what fits, then fail like ENOSPC.
        const std::uint64_t room = kQuota - std::min<std::uint64_t>(kQuota, written.load());
        const std::size_t fits = static_cast<std::size_t>(std::min<std::uint64_t>(room, size));
        const std::size_t done = std::fwrite(data, 1, fits, file);
        written += done;
        if (done < size) {
            errno = ENOSPC;
        }
        return done;
    };
    auto r = request();
    r.files = {"model.safetensors"};
    {
        HubClient client(s);
        const auto error = expect_failure(client, r);
        EXPECT_EQ(error.kind(), HubErrorKind::WriteFailed);
        EXPECT_TRUE(contains(error.what(), "disk is full")) << error.what();
        EXPECT_TRUE(contains(error.what(), "Free some space")) << error.what();
    }
    EXPECT_FALSE(fs::exists(model_file("model.safetensors")));
    ASSERT_EQ(fs::file_size(model_file("model.safetensors.part")), kQuota);
    HubClient client(settings()); // space freed
    DownloadControl control;
    client.download(r, control);
    EXPECT_EQ(read_file(model_file("model.safetensors")), weights_);
    EXPECT_EQ(hub_.requests_to("storage").back().range, "bytes=120000-");
}

TEST_F(HubTest, NotEnoughFreeSpaceIsRefusedBeforeDownloading) {
    auto s = settings();
    s.disk_space_margin = 1000;
    s.filesystem.available_bytes = [](const fs::path&) -> std::uintmax_t { return 50000; };
    HubClient client(s);
    const auto error = expect_failure(client, request());
    EXPECT_EQ(error.kind(), HubErrorKind::NotEnoughSpace);
    EXPECT_TRUE(contains(error.what(), "300.1 KB")) << error.what(); // what it needs
    EXPECT_TRUE(contains(error.what(), "50.0 KB")) << error.what();  // what is free
    EXPECT_TRUE(contains(error.what(), "another folder")) << error.what();
    EXPECT_TRUE(hub_.requests_to("storage").empty());
}

TEST_F(HubTest, TheRealFreeSpaceCheckRefusesADownloadLargerThanTheDisk) {
    auto s = settings();
    // Ask for far more room to spare than any disk has: the real std::filesystem::space check
    // (the default hook) must refuse.
    s.disk_space_margin = std::uintmax_t(1) << 62;
    HubClient client(s);
    const auto error = expect_failure(client, request());
    EXPECT_EQ(error.kind(), HubErrorKind::NotEnoughSpace);
    const auto real = fs::space(dir_).available;
    EXPECT_GT(real, 0u);
}

} // namespace
} // namespace tern::testing

// Errors a user must be able to act on: authentication, missing things, TLS, loops, bad names.
#include "hub_test_fixture.h"

namespace tern::testing {
namespace {

using downloader::DownloadControl;
using downloader::HubClient;
using downloader::HubError;
using downloader::HubErrorKind;

HubError listing_error(HubClient& client, const std::string& repo, const std::string& revision = "main") {
    try {
        client.list_files(repo, revision);
    } catch (const HubError& e) {
        return e;
    }
    ADD_FAILURE() << "listing should have failed";
    return HubError(HubErrorKind::InvalidResponse, "no error");
}

HubError download_error(HubClient& client, const downloader::DownloadRequest& request) {
    DownloadControl control;
    try {
        client.download(request, control);
    } catch (const HubError& e) {
        return e;
    }
    ADD_FAILURE() << "download should have failed";
    return HubError(HubErrorKind::InvalidResponse, "no error");
}

TEST_F(HubTest, GatedRepositoryPointsToTheTermsAndTheTokenSetting) {
    hub_.set_required_token(kRepo, "hf_right", true);
    HubClient client(settings());
    const auto error = listing_error(client, kRepo);
    EXPECT_EQ(error.kind(), HubErrorKind::Gated);
    EXPECT_EQ(error.http_status(), 401);
    EXPECT_TRUE(contains(error.what(), "gated")) << error.what();
    EXPECT_TRUE(contains(error.what(), "accept")) << error.what();
    EXPECT_TRUE(contains(error.what(), "Settings > Hugging Face token")) << error.what();
    EXPECT_TRUE(contains(error.what(), "HF_TOKEN")) << error.what();
    auto s = settings();
    s.token = "hf_right";
    HubClient with_token(s);
    EXPECT_EQ(with_token.list_files(kRepo).files.size(), 2u);
}

TEST_F(HubTest, PrivateRepositoryWithoutTokenSaysPrivateOrMissing) {
    hub_.set_required_token(kRepo, "hf_right", false);
    HubClient client(settings());
    const auto error = listing_error(client, kRepo);
    EXPECT_EQ(error.kind(), HubErrorKind::Unauthorized);
    EXPECT_TRUE(contains(error.what(), "private")) << error.what();
    EXPECT_TRUE(contains(error.what(), "Settings > Hugging Face token")) << error.what();
}

TEST_F(HubTest, RejectedTokenSaysTheTokenIsTheProblemAndNeverShowsIt) {
    hub_.set_fault("config.json", {MockFault::Unauthorized, 0, -1});
    auto s = settings();
    s.token = "hf_wrong_but_secret";
    HubClient client(s);
    const auto error = download_error(client, request());
    EXPECT_EQ(error.kind(), HubErrorKind::Unauthorized);
    EXPECT_TRUE(contains(error.what(), "rejected the Hugging Face token")) << error.what();
    EXPECT_TRUE(contains(error.what(), "huggingface.co/settings/tokens")) << error.what();
    EXPECT_FALSE(contains(error.what(), "hf_wrong_but_secret"));
}

TEST_F(HubTest, MissingRepositoryAndFileAndRevisionAreNamed) {
    HubClient client(settings());
    const auto repo_error = listing_error(client, "nobody/nothing");
    EXPECT_TRUE(contains(repo_error.what(), "nobody/nothing")) << repo_error.what();
    EXPECT_TRUE(contains(repo_error.what(), "does not exist")) << repo_error.what();

    hub_.set_fault("config.json", {MockFault::NotFound, 0, -1});
    const auto file_error = download_error(client, request());
    EXPECT_EQ(file_error.kind(), HubErrorKind::NotFound);
    EXPECT_EQ(file_error.http_status(), 404);
    EXPECT_TRUE(contains(file_error.what(), "'config.json'")) << file_error.what();
    EXPECT_TRUE(contains(file_error.what(), "start the download again")) << file_error.what();
    EXPECT_FALSE(fs::exists(model_file("config.json")));
}

TEST_F(HubTest, RedirectLoopStopsWithAClearError) {
    hub_.set_fault("config.json", {MockFault::RedirectLoop, 0, -1});
    auto s = settings();
    s.max_redirects = 5;
    HubClient client(s);
    const auto error = download_error(client, request());
    EXPECT_EQ(error.kind(), HubErrorKind::TooManyRedirects);
    EXPECT_TRUE(contains(error.what(), "redirect loop")) << error.what();
    std::size_t resolves = 0;
    for (const auto& r : hub_.requests_to("hub")) {
        resolves += contains(r.target, "config.json");
    }
    EXPECT_EQ(resolves, 6u); // the first request and 5 redirects, then it stopped
}

TEST_F(HubTest, MaliciousFileNamesAreRefusedBeforeAnythingIsWritten) {
    for (const std::string bad : {"../escaped.txt", "/etc/tern-owned", "a/../../escaped.txt",
                                  "sub\\..\\escaped.txt", "CON"}) {
        hub_.add_repo(kRepo, {{"config.json", {config_, false}}, {bad, {"pwned", false}}});
        HubClient client(settings());
        const auto error = download_error(client, request());
        EXPECT_EQ(error.kind(), HubErrorKind::UnsafeFileName) << bad;
        EXPECT_TRUE(contains(error.what(), bad)) << error.what();
        EXPECT_TRUE(contains(error.what(), "refuses")) << error.what();
        EXPECT_FALSE(fs::exists(dir_ / "escaped.txt"));
        EXPECT_FALSE(fs::exists(model_file("config.json"))) << "nothing is written, not even good files";
    }
}

TEST_F(HubTest, TlsFailureIsReportedAsSuchAndNotRetried) {
    // The mock speaks plain HTTP; an https:// URL to it fails the TLS handshake.
    auto s = settings();
    s.endpoint = "https://127.0.0.1:" + std::to_string(std::stoi(hub_.endpoint().substr(17)));
    HubClient client(s);
    const auto error = listing_error(client, kRepo);
    EXPECT_EQ(error.kind(), HubErrorKind::Tls);
    EXPECT_TRUE(contains(error.what(), "TLS")) << error.what();
    EXPECT_TRUE(contains(error.what(), "certificate")) << error.what();
    EXPECT_FALSE(error.is_transient());
}

TEST_F(HubTest, RefusedConnectionIsANetworkErrorAfterRetries) {
    std::string dead_endpoint;
    {
        MockHttpServer closed([](const MockRequest&, MockResponder&) {});
        dead_endpoint = closed.base_url();
    }
    auto s = settings();
    s.endpoint = dead_endpoint;
    s.max_attempts = 2;
    HubClient client(s);
    const auto error = listing_error(client, kRepo);
    EXPECT_EQ(error.kind(), HubErrorKind::Network);
    EXPECT_TRUE(contains(error.what(), "internet connection")) << error.what();
    EXPECT_TRUE(contains(error.what(), "Gave up after 2 attempts")) << error.what();
}

TEST_F(HubTest, OfflineModeNeverTouchesTheNetwork) {
    auto s = settings();
    s.offline = true;
    HubClient client(s);
    const auto error = listing_error(client, kRepo);
    EXPECT_EQ(error.kind(), HubErrorKind::Offline);
    EXPECT_TRUE(contains(error.what(), "HF_HUB_OFFLINE")) << error.what();
    EXPECT_TRUE(hub_.requests().empty());
}

TEST_F(HubTest, BadRepositoryIdsAndRevisionsAreRejectedWithoutARequest) {
    HubClient client(settings());
    for (const std::string bad : {"", "a/b/c", "../x", "owner/na me", "-owner/x", "owner/x--y"}) {
        const auto error = listing_error(client, bad);
        EXPECT_EQ(error.kind(), HubErrorKind::InvalidArgument) << bad;
        EXPECT_TRUE(contains(error.what(), "repository id")) << error.what();
    }
    EXPECT_EQ(listing_error(client, kRepo, "").kind(), HubErrorKind::InvalidArgument);
    EXPECT_EQ(listing_error(client, kRepo, "a\nb").kind(), HubErrorKind::InvalidArgument);
    EXPECT_TRUE(hub_.requests().empty());
    EXPECT_FALSE(downloader::invalid_repo_id_reason("microsoft/BitNet-b1.58-2B-4T-gguf"));
    EXPECT_FALSE(downloader::invalid_repo_id_reason("gpt2"));
}

TEST(HubSettings, EnvironmentFillsEndpointTokenAndOffline) {
    set_env("HF_ENDPOINT", "https://mirror.example/");
    set_env("HF_TOKEN", "hf_from_env");
    set_env("HF_HUB_OFFLINE", "1");
    const auto s = downloader::HubSettings{}.with_environment();
    EXPECT_EQ(s.endpoint, "https://mirror.example");
    EXPECT_EQ(s.token, "hf_from_env");
    EXPECT_TRUE(s.offline);
    downloader::HubSettings explicit_settings;
    explicit_settings.endpoint = "http://settings.example";
    explicit_settings.token = "hf_from_settings";
    const auto kept = explicit_settings.with_environment();
    EXPECT_EQ(kept.endpoint, "http://settings.example"); // settings win over the environment
    EXPECT_EQ(kept.token, "hf_from_settings");
    set_env("HF_ENDPOINT", nullptr);
    set_env("HF_TOKEN", nullptr);
    set_env("HF_HUB_OFFLINE", "0");
    EXPECT_FALSE(downloader::HubSettings{}.with_environment().offline);
    set_env("HF_HUB_OFFLINE", nullptr);
    EXPECT_EQ(downloader::HubSettings{}.with_environment().endpoint, "https://huggingface.co");
}

} // namespace
} // namespace tern::testing

// tern-cli download end to end against the mock hub: files land in -o DIR with a progress
// report, Ctrl+C (SIGINT) leaves a resumable .part file, usage errors exit with 2.
// POSIX only: it starts the tool with posix_spawn and interrupts it with kill().
#ifndef _WIN32

#include "hub_test_fixture.h"

#include <csignal>
#include <fcntl.h>
#include <thread>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace tern::testing {
namespace {

class CliDownloadTest : public HubTest {
protected:
    // Starts tern-cli with HF_ENDPOINT pointing at the mock hub; stderr goes to a file.
    pid_t start_cli(const std::vector<std::string>& args) {
        std::vector<std::string> env_storage = {
            "HF_ENDPOINT=" + hub_.endpoint(), "HF_HOME=" + (dir_ / "hf-home").string(),
            "no_proxy=127.0.0.1", "NO_PROXY=127.0.0.1", "TERN_CATALOG=" + (dir_ / "no-catalog.json").string()};
        for (char** e = environ; *e; ++e) {
            const std::string entry = *e;
            const auto name = entry.substr(0, entry.find('='));
            if (name != "HF_ENDPOINT" && name != "HF_HOME" && name != "HF_TOKEN" && name != "HF_HUB_OFFLINE" &&
                name != "no_proxy" && name != "NO_PROXY" && name != "TERN_CATALOG") {
                env_storage.push_back(entry);
            }
        }
        std::vector<std::string> argv_storage = {TERN_CLI_PATH, "download"};
        argv_storage.insert(argv_storage.end(), args.begin(), args.end());
        std::vector<char*> argv, envp;
        for (auto& a : argv_storage) argv.push_back(a.data());
        argv.push_back(nullptr);
        for (auto& e : env_storage) envp.push_back(e.data());
        envp.push_back(nullptr);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        const std::string err = (dir_ / "stderr.txt").string();
        const std::string out = (dir_ / "stdout.txt").string();
        posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        pid_t pid = -1;
        EXPECT_EQ(posix_spawn(&pid, TERN_CLI_PATH, &actions, nullptr, argv.data(), envp.data()), 0);
        posix_spawn_file_actions_destroy(&actions);
        return pid;
    }
    int wait_exit(pid_t pid) {
        int status = 0;
        waitpid(pid, &status, 0);
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    int run_cli(const std::vector<std::string>& args) { return wait_exit(start_cli(args)); }
    std::string cli_stderr() const { return read_file(dir_ / "stderr.txt"); }
};

TEST_F(CliDownloadTest, DownloadsIntoTheOutputFolderAndReportsProgress) {
    const auto out = (dir_ / "out").string();
    ASSERT_EQ(run_cli({kRepo, "--all", "-o", out}), 0) << cli_stderr();
    EXPECT_EQ(read_file(dir_ / "out" / "model.safetensors"), weights_);
    EXPECT_EQ(read_file(dir_ / "out" / "config.json"), config_);
    const std::string err = cli_stderr();
    EXPECT_TRUE(contains(err, "Downloading 2 files")) << err;
    EXPECT_TRUE(contains(err, "100%")) << err;
    EXPECT_TRUE(contains(read_file(dir_ / "stdout.txt"), out));
}

TEST_F(CliDownloadTest, CtrlCLeavesAResumablePartFileAndTheNextRunFinishes) {
    const std::string big = random_bytes(1 << 20, 5);
    hub_.add_repo(kRepo, {{"big.safetensors", {big, true}}, {"config.json", {config_, false}}});
    hub_.set_chunk_delay(15ms); // about a second for the whole file
    const auto out = dir_ / "out";
    const pid_t pid = start_cli({kRepo, "-o", out.string()});
    const auto part = out / "big.safetensors.part";
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    std::error_code error;
    while (!(fs::exists(part, error) && fs::file_size(part, error) > 100000) &&
           std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(5ms);
    }
    kill(pid, SIGINT);
    EXPECT_EQ(wait_exit(pid), 130) << cli_stderr();
    EXPECT_TRUE(contains(cli_stderr(), "run the same command again")) << cli_stderr();
    EXPECT_FALSE(fs::exists(out / "big.safetensors"));
    ASSERT_TRUE(fs::exists(part));
    const auto kept = fs::file_size(part);
    EXPECT_GT(kept, 100000u);

    hub_.set_chunk_delay(0ms);
    ASSERT_EQ(run_cli({kRepo, "-o", out.string()}), 0) << cli_stderr();
    EXPECT_EQ(read_file(out / "big.safetensors"), big);
    EXPECT_EQ(hub_.requests_to("storage").back().range, "bytes=" + std::to_string(kept) + "-");
}

TEST_F(CliDownloadTest, AModelInTheHuggingFaceCacheIsUsedInsteadOfDownloaded) {
    const auto repo_dir = dir_ / "hf-home" / "hub" / "models--tern-test--tiny-model";
    const std::string commit = "0123456789abcdef0123456789abcdef01234567";
    fs::create_directories(repo_dir / "refs");
    std::ofstream(repo_dir / "refs" / "main") << commit;
    fs::create_directories(repo_dir / "snapshots" / commit);
    std::ofstream(repo_dir / "snapshots" / commit / "model.gguf") << "GGUF";
    ASSERT_EQ(run_cli({kRepo}), 0) << cli_stderr();
    EXPECT_TRUE(contains(cli_stderr(), "already in the Hugging Face cache")) << cli_stderr();
    EXPECT_TRUE(contains(read_file(dir_ / "stdout.txt"), (repo_dir / "snapshots" / commit).string()));
    EXPECT_TRUE(hub_.requests().empty());
    ASSERT_EQ(run_cli({kRepo, "--no-cache", "--all", "-o", (dir_ / "fresh").string()}), 0) << cli_stderr();
    EXPECT_EQ(read_file(dir_ / "fresh" / "model.safetensors"), weights_);
}

TEST_F(CliDownloadTest, UsageAndHubErrorsAreReportedWithTheRightExitCode) {
    EXPECT_EQ(run_cli({}), 2);
    EXPECT_TRUE(contains(cli_stderr(), "which repository"));
    EXPECT_EQ(run_cli({"../evil"}), 2);
    EXPECT_EQ(run_cli({kRepo, "--bogus"}), 2);
    EXPECT_EQ(run_cli({"nobody/nothing", "-o", (dir_ / "x").string()}), 1);
    EXPECT_TRUE(contains(cli_stderr(), "nobody/nothing")) << cli_stderr();
}

} // namespace
} // namespace tern::testing

#endif // _WIN32

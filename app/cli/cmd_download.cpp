// tern-cli download: fetch a model from Hugging Face with a progress bar; Ctrl+C keeps a
// resumable .part file. Optionally converts a safetensors checkpoint to GGUF afterwards.
#include "command.h"

#include "tern/downloader/catalog.h"
#include "tern/downloader/hf_cache.h"
#include "tern/downloader/hub_client.h"
#include "tern/downloader/model_paths.h"

#if __has_include("tern/downloader/converter.h")
#include "tern/downloader/converter.h"
#define TERN_HAVE_CONVERTER 1
#endif

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <optional>
#include <cstdio>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#ifdef _WIN32
#include <io.h>
#define TERN_ISATTY(fd) _isatty(fd)
#else
#include <unistd.h>
#define TERN_ISATTY(fd) isatty(fd)
#endif

namespace tern::cli {
namespace {

namespace dl = tern::downloader;

// Set by the SIGINT handler; a watcher thread turns it into DownloadControl::cancel(), which is
// not async-signal-safe itself.
volatile std::sig_atomic_t g_interrupted = 0;
extern "C" void on_interrupt(int) { g_interrupted = 1; }

void print_help() {
    std::printf(
        "Usage: tern-cli download REPO [options]\n\n"
        "Downloads a model from Hugging Face (REPO is owner/name, e.g.\n"
        "microsoft/BitNet-b1.58-2B-4T-gguf). Interrupted downloads (Ctrl+C, network loss)\n"
        "continue where they stopped when the same command runs again.\n\n"
        "Options:\n"
        "  --revision R      branch, tag or commit to download (default: main)\n"
        "  -o, --output DIR  folder for the model's files\n"
        "                    (default: %s/<owner>--<name>)\n"
        "  --file PATTERN    fetch only files matching PATTERN ('*' and '?' wildcards);\n"
        "                    repeatable. Default: the catalog's file list, or the repository's\n"
        "                    GGUF file, or its safetensors checkpoint\n"
        "  --all             fetch every file of the repository\n"
        "  --convert         convert a safetensors checkpoint to GGUF after downloading\n"
        "  --no-cache        download even when the model is already in the Hugging Face cache\n"
        "  -h, --help        show this help\n\n"
        "Environment:\n"
        "  HF_TOKEN          access token for gated or private repositories\n"
        "  HF_ENDPOINT       hub address or mirror (default https://huggingface.co)\n"
        "  HF_HUB_OFFLINE=1  never use the network\n"
        "  HF_HOME           where the Hugging Face cache is looked for\n"
        "  https_proxy, http_proxy, no_proxy   proxy settings\n"
        "  TERN_MODELS_DIR   default folder for models; TERN_CATALOG: the model catalog file\n",
        dl::default_models_dir().string().c_str());
}

std::string human_bytes(double bytes) {
    const char* units[] = {"B", "kB", "MB", "GB", "TB"};
    int unit = 0;
    while (bytes >= 1000 && unit < 4) {
        bytes /= 1000;
        ++unit;
    }
    char text[32];
    std::snprintf(text, sizeof text, unit == 0 ? "%.0f %s" : "%.1f %s", bytes, units[unit]);
    return text;
}

std::string human_duration(double seconds) {
    if (seconds < 0) {
        return "--:--";
    }
    const auto total = static_cast<long long>(seconds + 0.5);
    char text[32];
    if (total >= 3600) {
        std::snprintf(text, sizeof text, "%lld:%02lld:%02lld", total / 3600, total / 60 % 60, total % 60);
    } else {
        std::snprintf(text, sizeof text, "%lld:%02lld", total / 60, total % 60);
    }
    return text;
}

class ProgressBar {
public:
    ProgressBar() : terminal_(TERN_ISATTY(2) != 0) {}
    void update(const dl::DownloadProgress& p) {
        const double fraction = p.bytes_total ? static_cast<double>(p.bytes_done) / static_cast<double>(p.bytes_total) : 1.0;
        const int percent = static_cast<int>(fraction * 100);
        if (!terminal_) { // logs: one line per 10%
            if (percent / 10 != last_decile_) {
                last_decile_ = percent / 10;
                std::fprintf(stderr, "%3d%%  %s / %s\n", percent, human_bytes(static_cast<double>(p.bytes_done)).c_str(),
                             human_bytes(static_cast<double>(p.bytes_total)).c_str());
            }
            return;
        }
        constexpr int kWidth = 30;
        const int filled = static_cast<int>(fraction * kWidth);
        std::string bar(static_cast<std::size_t>(filled), '#');
        bar.append(static_cast<std::size_t>(kWidth - filled), '.');
        std::fprintf(stderr, "\r[%s] %3d%%  %s / %s  %s/s  ETA %s  (%d/%d files)   ", bar.c_str(), percent,
                     human_bytes(static_cast<double>(p.bytes_done)).c_str(),
                     human_bytes(static_cast<double>(p.bytes_total)).c_str(),
                     human_bytes(p.bytes_per_second).c_str(), human_duration(p.eta_seconds).c_str(),
                     p.files_done, p.files_total);
        std::fflush(stderr);
    }
    void done() {
        if (terminal_) {
            std::fprintf(stderr, "\n");
        }
    }

private:
    bool terminal_;
    int last_decile_ = -1;
};

// Writes <output_dir>/<owner>--<name>.gguf; never into the Hugging Face cache, which is not ours.
int convert(const std::filesystem::path& checkpoint, const std::filesystem::path& output_dir,
            const std::string& repo) {
#ifdef TERN_HAVE_CONVERTER
    std::filesystem::create_directories(output_dir);
    const auto output = output_dir / (dl::model_folder_name(repo) + ".gguf");
    std::fprintf(stderr, "Converting %s to %s ...\n", checkpoint.string().c_str(), output.string().c_str());
    dl::ConvertOptions options;
    options.on_progress = [](const dl::ConvertProgress&) { return g_interrupted == 0; };
    const auto result = dl::convert_checkpoint(checkpoint, output, options);
    for (const auto& note : result.notes) {
        std::fprintf(stderr, "note: %s\n", note.c_str());
    }
    std::printf("%s\n", result.output.c_str());
    return kExitOk;
#else
    (void)repo;
    (void)output_dir;
    std::fprintf(stderr,
                 "tern-cli download: --convert is not available yet in this build (the checkpoint "
                 "converter has not landed). The checkpoint is in %s.\n",
                 checkpoint.string().c_str());
    return kExitFailure;
#endif
}

} // namespace

int run_download(std::span<char* const> args) {
    std::string repo, revision = "main";
    std::filesystem::path output;
    std::vector<std::string> patterns;
    bool all = false, want_convert = false, use_cache = true;
    for (std::size_t i = 1; i < args.size(); ++i) {
        const std::string_view arg = args[i];
        const auto value = [&](const char* option) -> const char* {
            if (i + 1 >= args.size()) {
                std::fprintf(stderr, "tern-cli download: %s needs a value\n", option);
                return nullptr;
            }
            return args[++i];
        };
        if (arg == "-h" || arg == "--help") {
            print_help();
            return kExitOk;
        } else if (arg == "--revision") {
            const char* v = value("--revision");
            if (!v) return kExitUsage;
            revision = v;
        } else if (arg == "-o" || arg == "--output") {
            const char* v = value("--output");
            if (!v) return kExitUsage;
            output = v;
        } else if (arg == "--file") {
            const char* v = value("--file");
            if (!v) return kExitUsage;
            patterns.emplace_back(v);
        } else if (arg == "--all") {
            all = true;
        } else if (arg == "--convert") {
            want_convert = true;
        } else if (arg == "--no-cache") {
            use_cache = false;
        } else if (!arg.empty() && arg[0] == '-') {
            std::fprintf(stderr, "tern-cli download: unknown option '%s' (see --help)\n", args[i]);
            return kExitUsage;
        } else if (repo.empty()) {
            repo = arg;
        } else {
            std::fprintf(stderr, "tern-cli download: only one repository at a time ('%s' is extra)\n", args[i]);
            return kExitUsage;
        }
    }
    if (repo.empty()) {
        std::fprintf(stderr, "tern-cli download: which repository? e.g. tern-cli download "
                             "microsoft/BitNet-b1.58-2B-4T-gguf (see --help)\n");
        return kExitUsage;
    }
    if (const auto reason = dl::invalid_repo_id_reason(repo)) {
        std::fprintf(stderr, "tern-cli download: '%s' is not a repository id: %s\n", repo.c_str(), reason->c_str());
        return kExitUsage;
    }
    if (all && !patterns.empty()) {
        std::fprintf(stderr, "tern-cli download: --all and --file exclude each other\n");
        return kExitUsage;
    }

    std::optional<dl::CatalogEntry> entry;
    const auto catalog_file = dl::find_catalog_file();
    if (!catalog_file.empty()) {
        const auto catalog = dl::load_catalog(catalog_file);
        if (const auto* found = catalog.find(repo)) {
            entry = *found;
        }
    }

    if (use_cache && patterns.empty() && !all) {
        const std::vector<std::string> required =
            entry ? entry->files : std::vector<std::string>{};
        if (const auto cached = dl::find_cached_model(repo, revision, required)) {
            std::fprintf(stderr, "%s is already in the Hugging Face cache; using it (--no-cache downloads anyway).\n",
                         repo.c_str());
            std::printf("%s\n", cached->snapshot_dir.string().c_str());
            const bool has_gguf = std::any_of(cached->files.begin(), cached->files.end(), [](const std::string& f) {
                return f.size() > 5 && f.compare(f.size() - 5, 5, ".gguf") == 0;
            });
            if (!want_convert || has_gguf) {
                return kExitOk;
            }
            return convert(cached->snapshot_dir,
                           output.empty() ? dl::default_models_dir() / dl::model_folder_name(repo) : output, repo);
        }
    }

    dl::HubClient client(dl::HubSettings{}.with_environment());
    dl::DownloadControl control;
    g_interrupted = 0;
#ifdef SIGPIPE
    // A server that hangs up while TLS writes must give an error, not kill the process.
    std::signal(SIGPIPE, SIG_IGN);
#endif
    const auto previous_handler = std::signal(SIGINT, on_interrupt);
    std::atomic<bool> finished{false};
    std::thread watcher([&] {
        while (!finished) {
            if (g_interrupted) {
                control.cancel();
                return;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    });
    struct Cleanup {
        std::atomic<bool>& finished;
        std::thread& watcher;
        void (*previous)(int);
        ~Cleanup() {
            finished = true;
            watcher.join();
            std::signal(SIGINT, previous);
        }
    } cleanup{finished, watcher, previous_handler};

    const auto listing = client.list_files(repo, revision, &control);
    dl::RepoListing selected = listing;
    if (!all) {
        if (!patterns.empty()) {
            selected.files = dl::select_files(listing, patterns);
        } else if (entry) {
            selected.files = dl::select_files(listing, entry->files);
        } else {
            selected.files = dl::select_files(listing, dl::entry_from_listing(listing).files);
        }
        if (selected.files.empty()) {
            std::fprintf(stderr, "tern-cli download: no file of %s at %s matches; see the model page, or use --all\n",
                         repo.c_str(), revision.c_str());
            return kExitFailure;
        }
    }
    if (output.empty()) {
        output = dl::default_models_dir() / dl::model_folder_name(repo);
    }
    std::fprintf(stderr, "Downloading %zu file%s (%s) of %s at %.12s into %s\n", selected.files.size(),
                 selected.files.size() == 1 ? "" : "s", human_bytes(static_cast<double>(selected.total_size())).c_str(),
                 repo.c_str(), listing.commit.c_str(), output.string().c_str());
    ProgressBar bar;
    try {
        client.download_files(selected, output, control, [&](const dl::DownloadProgress& p) { bar.update(p); });
    } catch (const dl::HubError& e) {
        bar.done();
        if (e.kind() == dl::HubErrorKind::Cancelled) {
            std::fprintf(stderr, "Interrupted. What was downloaded is kept in %s; run the same command "
                                 "again to continue.\n", output.string().c_str());
            return 130;
        }
        throw;
    }
    bar.done();
    std::printf("%s\n", output.string().c_str());
    bool needs_conversion = entry ? entry->needs_conversion : true;
    for (const auto& file : selected.files) {
        if (file.path.size() > 5 && file.path.substr(file.path.size() - 5) == ".gguf") {
            needs_conversion = false;
        }
    }
    if (want_convert) {
        if (!needs_conversion) {
            std::fprintf(stderr, "%s is already a GGUF model; nothing to convert.\n", repo.c_str());
            return kExitOk;
        }
        return convert(output, output, repo);
    }
    if (needs_conversion) {
        std::fprintf(stderr, "This is a Hugging Face checkpoint: convert it to GGUF with --convert before use.\n");
    }
    return kExitOk;
}

} // namespace tern::cli

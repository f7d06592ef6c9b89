#include "settings_controller.h"

#include "token_store.h"

#include <QDir>
#include <QStandardPaths>
#include <QThread>
#include <QUrl>

#include <algorithm>

namespace tern::app {
namespace {

// Defaults match engine::SamplingParams, so a fresh install samples as tern-cli does.
const engine::SamplingParams kSamplingDefaults{};
constexpr int kDefaultMaxTokens = 1024;

} // namespace

SettingsController::SettingsController(std::unique_ptr<QSettings> settings, TokenStore* tokens,
                                       QObject* parent)
    : QObject(parent), settings_(settings ? std::move(settings) : std::make_unique<QSettings>()),
      tokens_(tokens) {
    if (tokens_) {
        connect(tokens_, &TokenStore::tokenLoaded, this, [this](const QString& token) {
            // A keychain answers asynchronously: a token typed in the meantime wins over the
            // stored one the answer brings.
            if (hubTokenEdited_) {
                return;
            }
            hubToken_ = token;
            emit hubTokenChanged();
        });
        tokens_->load();
    }
}

SettingsController::~SettingsController() = default;

QString SettingsController::defaultModelsFolder() {
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation))
        .filePath(QStringLiteral("models"));
}

QVariant SettingsController::get(const char* key, const QVariant& fallback) const {
    return settings_->value(QLatin1String(key), fallback);
}

void SettingsController::put(const char* key, const QVariant& value) {
    if (settings_->value(QLatin1String(key)) == value) {
        return;
    }
    settings_->setValue(QLatin1String(key), value);
    emit changed();
}

int SettingsController::maxThreads() const {
    return std::max(1, QThread::idealThreadCount());
}
int SettingsController::threads() const {
    return std::clamp(get("engine/threads", 0).toInt(), 0, maxThreads());
}
void SettingsController::setThreads(int value) {
    put("engine/threads", std::clamp(value, 0, maxThreads()));
}
// 0 means the model's own context (the engine caps it at 4096 to bound the KV cache): a fixed
// default would be refused by models trained on a shorter one.
int SettingsController::contextLength() const {
    const int value = get("engine/contextLength", 0).toInt();
    return value <= 0 ? 0 : std::clamp(value, 256, 131072);
}
void SettingsController::setContextLength(int value) {
    put("engine/contextLength", value <= 0 ? 0 : std::clamp(value, 256, 131072));
}
double SettingsController::temperature() const {
    return std::clamp(get("sampling/temperature", double(kSamplingDefaults.temperature)).toDouble(), 0.0, 2.0);
}
void SettingsController::setTemperature(double value) {
    put("sampling/temperature", std::clamp(value, 0.0, 2.0));
}
int SettingsController::topK() const {
    return std::clamp(get("sampling/topK", kSamplingDefaults.top_k).toInt(), 0, 1000);
}
void SettingsController::setTopK(int value) {
    put("sampling/topK", std::clamp(value, 0, 1000));
}
double SettingsController::topP() const {
    return std::clamp(get("sampling/topP", double(kSamplingDefaults.top_p)).toDouble(), 0.0, 1.0);
}
void SettingsController::setTopP(double value) {
    put("sampling/topP", std::clamp(value, 0.0, 1.0));
}
double SettingsController::minP() const {
    return std::clamp(get("sampling/minP", double(kSamplingDefaults.min_p)).toDouble(), 0.0, 1.0);
}
void SettingsController::setMinP(double value) {
    put("sampling/minP", std::clamp(value, 0.0, 1.0));
}
double SettingsController::repetitionPenalty() const {
    return std::clamp(get("sampling/repetitionPenalty", double(kSamplingDefaults.repetition_penalty)).toDouble(), 1.0, 2.0);
}
void SettingsController::setRepetitionPenalty(double value) {
    put("sampling/repetitionPenalty", std::clamp(value, 1.0, 2.0));
}
qint64 SettingsController::seed() const {
    return std::max<qint64>(0, get("sampling/seed", 0).toLongLong());
}
void SettingsController::setSeed(qint64 value) {
    put("sampling/seed", std::max<qint64>(0, value));
}
int SettingsController::maxTokens() const {
    return std::clamp(get("sampling/maxTokens", kDefaultMaxTokens).toInt(), 1, 32768);
}
void SettingsController::setMaxTokens(int value) {
    put("sampling/maxTokens", std::clamp(value, 1, 32768));
}
QString SettingsController::systemPrompt() const {
    return get("chat/systemPrompt", QString()).toString();
}
void SettingsController::setSystemPrompt(const QString& value) {
    put("chat/systemPrompt", value);
}
QString SettingsController::chatTemplateOverride() const {
    return get("chat/templateOverride", QString()).toString();
}
void SettingsController::setChatTemplateOverride(const QString& value) {
    put("chat/templateOverride", value);
}
QString SettingsController::modelsFolder() const {
    const QString folder = get("models/folder", QString()).toString();
    return folder.isEmpty() ? defaultModelsFolder() : folder;
}
void SettingsController::setModelsFolder(const QString& value) {
    // QML folder dialogs hand over file:// URLs.
    const QString path = value.startsWith(QLatin1String("file:")) ? QUrl(value).toLocalFile() : value;
    put("models/folder", QDir::cleanPath(path));
}
QString SettingsController::lastModelPath() const {
    return get("models/last", QString()).toString();
}
void SettingsController::setLastModelPath(const QString& value) {
    put("models/last", value);
}
QString SettingsController::hubEndpoint() const {
    return get("network/hubEndpoint", QStringLiteral("https://huggingface.co")).toString();
}
void SettingsController::setHubEndpoint(const QString& value) {
    QString endpoint = value.trimmed();
    while (endpoint.endsWith(QLatin1Char('/'))) {
        endpoint.chop(1);
    }
    put("network/hubEndpoint", endpoint.isEmpty() ? QStringLiteral("https://huggingface.co") : endpoint);
}
QString SettingsController::proxy() const {
    return get("network/proxy", QString()).toString();
}
void SettingsController::setProxy(const QString& value) {
    put("network/proxy", value.trimmed());
}
void SettingsController::setHubToken(const QString& value) {
    const QString token = value.trimmed();
    if (token == hubToken_) {
        return;
    }
    hubToken_ = token;
    hubTokenEdited_ = true;
    if (tokens_) {
        tokens_->save(token);
    }
    emit hubTokenChanged();
}
QString SettingsController::hubTokenLocation() const {
    return tokens_ ? tokens_->locationDescription() : QString();
}
QString SettingsController::theme() const {
    const QString t = get("appearance/theme", QStringLiteral("system")).toString();
    return (t == QLatin1String("light") || t == QLatin1String("dark")) ? t : QStringLiteral("system");
}
void SettingsController::setTheme(const QString& value) {
    put("appearance/theme", (value == QLatin1String("light") || value == QLatin1String("dark"))
                                ? value
                                : QStringLiteral("system"));
}
int SettingsController::fontSize() const {
    return std::clamp(get("appearance/fontSize", 14).toInt(), 9, 28);
}
void SettingsController::setFontSize(int value) {
    put("appearance/fontSize", std::clamp(value, 9, 28));
}
bool SettingsController::welcomeDismissed() const {
    return get("app/welcomeDismissed", false).toBool();
}
void SettingsController::setWelcomeDismissed(bool value) {
    put("app/welcomeDismissed", value);
}

void SettingsController::resetSampling() {
    for (const char* key : {"sampling/temperature", "sampling/topK", "sampling/topP", "sampling/minP",
                            "sampling/repetitionPenalty", "sampling/seed", "sampling/maxTokens"}) {
        settings_->remove(QLatin1String(key));
    }
    emit changed();
}

engine::LoadOptions SettingsController::loadOptions() const {
    engine::LoadOptions o;
    o.threads = threads();
    o.context_length = contextLength();
    return o;
}

engine::GenerateOptions SettingsController::generateOptions() const {
    engine::GenerateOptions o;
    o.max_tokens = maxTokens();
    o.sampling.temperature = static_cast<float>(temperature());
    o.sampling.top_k = topK();
    o.sampling.top_p = static_cast<float>(topP());
    o.sampling.min_p = static_cast<float>(minP());
    o.sampling.repetition_penalty = static_cast<float>(repetitionPenalty());
    o.sampling.seed = static_cast<std::uint64_t>(seed());
    return o;
}

QJsonObject SettingsController::generationSettingsJson() const {
    return {{QStringLiteral("temperature"), temperature()},
            {QStringLiteral("top_k"), topK()},
            {QStringLiteral("top_p"), topP()},
            {QStringLiteral("min_p"), minP()},
            {QStringLiteral("repetition_penalty"), repetitionPenalty()},
            {QStringLiteral("seed"), seed()},
            {QStringLiteral("max_tokens"), maxTokens()},
            {QStringLiteral("context_length"), contextLength()},
            {QStringLiteral("threads"), threads()}};
}

} // namespace tern::app

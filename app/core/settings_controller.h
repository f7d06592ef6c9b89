// Every user setting, persisted with QSettings (the Hugging Face token excepted: see
// TokenStore). Setters clamp to the ranges the engine accepts, so a hand-edited settings file
// cannot make generation fail.
#pragma once

#include "tern/engine/engine.h"

#include <QJsonObject>
#include <QObject>
#include <QSettings>
#include <QString>

#include <memory>

namespace tern::app {

class TokenStore;

class SettingsController : public QObject {
    Q_OBJECT
    // Engine
    Q_PROPERTY(int threads READ threads WRITE setThreads NOTIFY changed)
    Q_PROPERTY(int maxThreads READ maxThreads CONSTANT)
    Q_PROPERTY(int contextLength READ contextLength WRITE setContextLength NOTIFY changed)
    // Sampling
    Q_PROPERTY(double temperature READ temperature WRITE setTemperature NOTIFY changed)
    Q_PROPERTY(int topK READ topK WRITE setTopK NOTIFY changed)
    Q_PROPERTY(double topP READ topP WRITE setTopP NOTIFY changed)
    Q_PROPERTY(double minP READ minP WRITE setMinP NOTIFY changed)
    Q_PROPERTY(double repetitionPenalty READ repetitionPenalty WRITE setRepetitionPenalty NOTIFY changed)
    Q_PROPERTY(qint64 seed READ seed WRITE setSeed NOTIFY changed)
    Q_PROPERTY(int maxTokens READ maxTokens WRITE setMaxTokens NOTIFY changed)
    // Conversation
    Q_PROPERTY(QString systemPrompt READ systemPrompt WRITE setSystemPrompt NOTIFY changed)
    Q_PROPERTY(QString chatTemplateOverride READ chatTemplateOverride WRITE setChatTemplateOverride NOTIFY changed)
    // Models and network
    Q_PROPERTY(QString modelsFolder READ modelsFolder WRITE setModelsFolder NOTIFY changed)
    Q_PROPERTY(QString lastModelPath READ lastModelPath WRITE setLastModelPath NOTIFY changed)
    Q_PROPERTY(QString hubEndpoint READ hubEndpoint WRITE setHubEndpoint NOTIFY changed)
    Q_PROPERTY(QString proxy READ proxy WRITE setProxy NOTIFY changed)
    Q_PROPERTY(QString hubToken READ hubToken WRITE setHubToken NOTIFY hubTokenChanged)
    Q_PROPERTY(QString hubTokenLocation READ hubTokenLocation NOTIFY hubTokenChanged)
    // Appearance
    Q_PROPERTY(QString theme READ theme WRITE setTheme NOTIFY changed) // "system", "light", "dark"
    Q_PROPERTY(int fontSize READ fontSize WRITE setFontSize NOTIFY changed)
    Q_PROPERTY(bool welcomeDismissed READ welcomeDismissed WRITE setWelcomeDismissed NOTIFY changed)

public:
    // `settings` null: the application's QSettings. `tokens` null: no token storage.
    explicit SettingsController(std::unique_ptr<QSettings> settings = nullptr,
                                TokenStore* tokens = nullptr, QObject* parent = nullptr);
    ~SettingsController() override;

    static QString defaultModelsFolder();

    int threads() const;
    void setThreads(int value);
    int maxThreads() const;
    int contextLength() const;
    void setContextLength(int value);
    double temperature() const;
    void setTemperature(double value);
    int topK() const;
    void setTopK(int value);
    double topP() const;
    void setTopP(double value);
    double minP() const;
    void setMinP(double value);
    double repetitionPenalty() const;
    void setRepetitionPenalty(double value);
    qint64 seed() const;
    void setSeed(qint64 value);
    int maxTokens() const;
    void setMaxTokens(int value);
    QString systemPrompt() const;
    void setSystemPrompt(const QString& value);
    QString chatTemplateOverride() const;
    void setChatTemplateOverride(const QString& value);
    QString modelsFolder() const;
    void setModelsFolder(const QString& value);
    QString lastModelPath() const;
    void setLastModelPath(const QString& value);
    QString hubEndpoint() const;
    void setHubEndpoint(const QString& value);
    QString proxy() const;
    void setProxy(const QString& value);
    QString hubToken() const { return hubToken_; }
    void setHubToken(const QString& value);
    QString hubTokenLocation() const;
    QString theme() const;
    void setTheme(const QString& value);
    int fontSize() const;
    void setFontSize(int value);
    bool welcomeDismissed() const;
    void setWelcomeDismissed(bool value);

    Q_INVOKABLE void resetSampling();

    engine::LoadOptions loadOptions() const;
    engine::GenerateOptions generateOptions() const;
    // The settings a reply is generated with, stored beside it in the history.
    QJsonObject generationSettingsJson() const;

signals:
    void changed();
    void hubTokenChanged();

private:
    QVariant get(const char* key, const QVariant& fallback) const;
    void put(const char* key, const QVariant& value);

    std::unique_ptr<QSettings> settings_;
    TokenStore* tokens_;
    QString hubToken_;
    bool hubTokenEdited_ = false; // set since the token store's first answer
};

} // namespace tern::app

// The model manager's list: the built-in demo model, the catalog's models (installed or not,
// with download progress) and GGUF files found in the models folder or imported.
#pragma once

#include <QAbstractListModel>
#include <QString>

namespace tern::app {

struct ModelEntry {
    enum class Kind { BuiltIn, Catalog, Local };
    enum class State { Available, Downloading, Paused, Converting, Installed, Failed };

    Kind kind = Kind::Local;
    QString id;          // catalog: the repository id; otherwise the file path
    QString name;
    QString description;
    QString license;
    QString parameters;  // "2.4B"
    qint64 sizeBytes = 0;     // download size, or the file size once installed
    qint64 memoryBytes = 0;   // needed to run; 0 unknown
    bool needsConversion = false;
    QString path;        // the GGUF to load, when installed
    State state = State::Available;
    double progress = 0;      // 0..1 for download or conversion
    double bytesPerSecond = 0;
    double etaSeconds = -1;
    QString error;
};

QString stateName(ModelEntry::State state);

class ModelListModel : public QAbstractListModel {
    Q_OBJECT
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)
public:
    enum Role {
        IdRole = Qt::UserRole + 1, NameRole, DescriptionRole, LicenseRole, ParametersRole,
        SizeRole, MemoryRole, KindRole, PathRole, StateRole, ProgressRole, SpeedRole, EtaRole,
        ErrorRole, InstalledRole, NeedsConversionRole,
    };
    using QAbstractListModel::QAbstractListModel;

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    void setEntries(const QList<ModelEntry>& entries);
    void updateEntry(const ModelEntry& entry); // matched by id; ignored when absent
    int rowOf(const QString& id) const;
    const QList<ModelEntry>& entries() const { return rows_; }

signals:
    void countChanged();

private:
    QList<ModelEntry> rows_;
};

} // namespace tern::app

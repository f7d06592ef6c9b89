#include "model_list_model.h"

namespace tern::app {

QString stateName(ModelEntry::State state) {
    switch (state) {
    case ModelEntry::State::Available: return QStringLiteral("available");
    case ModelEntry::State::Downloading: return QStringLiteral("downloading");
    case ModelEntry::State::Paused: return QStringLiteral("paused");
    case ModelEntry::State::Converting: return QStringLiteral("converting");
    case ModelEntry::State::Installed: return QStringLiteral("installed");
    case ModelEntry::State::Failed: return QStringLiteral("failed");
    }
    return {};
}

int ModelListModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

QVariant ModelListModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return {};
    }
    const ModelEntry& e = rows_[index.row()];
    switch (role) {
    case Qt::DisplayRole:
    case NameRole: return e.name;
    case IdRole: return e.id;
    case DescriptionRole: return e.description;
    case LicenseRole: return e.license;
    case ParametersRole: return e.parameters;
    case SizeRole: return static_cast<double>(e.sizeBytes);
    case MemoryRole: return static_cast<double>(e.memoryBytes);
    case KindRole:
        return e.kind == ModelEntry::Kind::BuiltIn ? QStringLiteral("builtin")
             : e.kind == ModelEntry::Kind::Catalog ? QStringLiteral("catalog")
                                                   : QStringLiteral("local");
    case PathRole: return e.path;
    case StateRole: return stateName(e.state);
    case ProgressRole: return e.progress;
    case SpeedRole: return e.bytesPerSecond;
    case EtaRole: return e.etaSeconds;
    case ErrorRole: return e.error;
    case InstalledRole: return e.state == ModelEntry::State::Installed;
    case NeedsConversionRole: return e.needsConversion;
    default: return {};
    }
}

QHash<int, QByteArray> ModelListModel::roleNames() const {
    return {{IdRole, "modelId"},        {NameRole, "name"},          {DescriptionRole, "description"},
            {LicenseRole, "license"},   {ParametersRole, "parameters"}, {SizeRole, "sizeBytes"},
            {MemoryRole, "memoryBytes"}, {KindRole, "kind"},          {PathRole, "path"},
            {StateRole, "modelState"},  {ProgressRole, "progress"},  {SpeedRole, "bytesPerSecond"},
            {EtaRole, "etaSeconds"},    {ErrorRole, "errorText"},    {InstalledRole, "installed"},
            {NeedsConversionRole, "needsConversion"}};
}

void ModelListModel::setEntries(const QList<ModelEntry>& entries) {
    beginResetModel();
    rows_ = entries;
    endResetModel();
    emit countChanged();
}

int ModelListModel::rowOf(const QString& id) const {
    for (int i = 0; i < rows_.size(); ++i) {
        if (rows_[i].id == id) {
            return i;
        }
    }
    return -1;
}

void ModelListModel::updateEntry(const ModelEntry& entry) {
    const int row = rowOf(entry.id);
    if (row < 0) {
        return;
    }
    rows_[row] = entry;
    emit dataChanged(index(row), index(row));
}

} // namespace tern::app

// GoogleTest main for the app's tests: Qt objects (timers, queued signals, SQL drivers) need a
// QCoreApplication. Linked in place of gtest_main, whose main() the linker then leaves out.
#include <QCoreApplication>
#include <QStandardPaths>

#include <gtest/gtest.h>

int main(int argc, char** argv) {
    // Tests must never touch the user's real history or settings.
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("TernTests"));
    QCoreApplication::setApplicationName(QStringLiteral("tern-tests"));
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}

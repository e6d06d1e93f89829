// SPDX-License-Identifier: MIT
#include <QApplication>
#include <QMainWindow>

int main(int argc, char** argv) {
    QApplication application(argc, argv);
    QApplication::setApplicationName(QStringLiteral("BitLens"));
    QApplication::setOrganizationName(QStringLiteral("BitLens"));
    QMainWindow window;
    window.setWindowTitle(QStringLiteral("BitLens"));
    window.show();
    return QApplication::exec();
}

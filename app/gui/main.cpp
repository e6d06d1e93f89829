// SPDX-License-Identifier: MIT
#include "gui/CheckpointDocument.h"
#include "gui/MainWindow.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QTimer>
#include <cstdio>

using bitlens::app::CheckpointDocument;
using bitlens::app::MainWindow;

namespace {

// --screenshot PATH: once FILE has opened, saves a picture of the window to PATH and exits
// (0 when saved; 2 when FILE failed to open or PATH could not be written). For documentation.
void saveScreenshotWhenOpened(MainWindow& window, const QString& screenshotPath) {
    auto saveAndQuit = [&window, screenshotPath] {
        // Give layouts and the status bar one event loop pass to settle before grabbing.
        QTimer::singleShot(200, &window, [&window, screenshotPath] {
            const bool saved = window.grab().save(screenshotPath);
            if (!saved)
                std::fprintf(stderr, "bitlens: cannot write %s\n", qPrintable(screenshotPath));
            QApplication::exit(saved ? 0 : 2);
        });
    };
    QObject::connect(window.document(), &CheckpointDocument::opened, &window, saveAndQuit);
    QObject::connect(window.document(), &CheckpointDocument::failed, &window,
                     [](const QString&, const QString& message) {
                         std::fprintf(stderr, "bitlens: %s\n", qPrintable(message));
                         QApplication::exit(2);
                     });
}

} // namespace

int main(int argc, char** argv) {
    QApplication application(argc, argv);
    QApplication::setApplicationName(QStringLiteral("BitLens"));
    QApplication::setOrganizationName(QStringLiteral("BitLens"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("BitLens quantization studio"));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("FILE"),
                                 QStringLiteral("Checkpoint file or model folder to open."),
                                 QStringLiteral("[FILE]"));
    QCommandLineOption screenshot(QStringLiteral("screenshot"),
                                  QStringLiteral("Save a picture of the window once FILE has "
                                                 "opened, then exit."),
                                  QStringLiteral("PATH"));
    screenshot.setFlags(QCommandLineOption::HiddenFromHelp);
    parser.addOption(screenshot);
    parser.process(application);

    const QStringList files = parser.positionalArguments();
    if (files.size() > 1)
        parser.showHelp(1);
    if (parser.isSet(screenshot) && files.isEmpty()) {
        std::fprintf(stderr, "bitlens: --screenshot needs a FILE to open\n");
        return 1;
    }

    MainWindow window;
    if (parser.isSet(screenshot))
        saveScreenshotWhenOpened(window, parser.value(screenshot));
    window.show();
    if (!files.isEmpty())
        window.openPath(files.first());
    return QApplication::exec();
}

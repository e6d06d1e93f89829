// SPDX-License-Identifier: MIT
#include "gui/CheckpointDocument.h"
#include "gui/EvaluationPanel.h"
#include "gui/MainWindow.h"
#include "gui/QuantController.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QTimer>
#include <cstdio>

using bitlens::app::CheckpointDocument;
using bitlens::app::MainWindow;
using bitlens::app::QuantController;

namespace {

// --screenshot PATH: once FILE has opened, its first tensor is shown and Quantize All has filled
// the layer chart, saves a picture of the window to PATH and exits (0 when saved; 2 when FILE
// failed to open or PATH could not be written). For documentation.
void saveScreenshotWhenShown(MainWindow& window, const QString& screenshotPath) {
    auto saveAndQuit = [&window, screenshotPath] {
        // Give layouts, plots and the status bar one event loop pass to settle before grabbing.
        QTimer::singleShot(300, &window, [&window, screenshotPath] {
            const bool saved = window.grab().save(screenshotPath);
            if (!saved)
                std::fprintf(stderr, "bitlens: cannot write %s\n", qPrintable(screenshotPath));
            QApplication::exit(saved ? 0 : 2);
        });
    };
    QObject::connect(
        &window, &MainWindow::selectionShown, &window,
        [&window, saveAndQuit] {
            if (!window.quantizeAll())
                saveAndQuit();
        },
        Qt::SingleShotConnection);
    QObject::connect(window.quantController(), &QuantController::quantizeAllFinished, &window,
                     saveAndQuit);
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
    QCommandLineOption images(QStringLiteral("images"),
                              QStringLiteral("Test images (IDX) for the evaluation panel."),
                              QStringLiteral("FILE"));
    QCommandLineOption labels(QStringLiteral("labels"),
                              QStringLiteral("Test labels (IDX) for the evaluation panel."),
                              QStringLiteral("FILE"));
    QCommandLineOption inputScale(QStringLiteral("input-scale"),
                                  QStringLiteral("Factor applied to pixels before the model "
                                                 "(default 1/255)."),
                                  QStringLiteral("S"), QString::number(1.0 / 255.0, 'g', 17));
    QCommandLineOption text(QStringLiteral("text"),
                            QStringLiteral("Evaluation text for a language model."),
                            QStringLiteral("FILE"));
    QCommandLineOption tokenizer(QStringLiteral("tokenizer"),
                                 QStringLiteral("Tokenizer file for a model without its own "
                                                "(llama2.c)."),
                                 QStringLiteral("FILE"));
    parser.addOptions({images, labels, inputScale, text, tokenizer});
    parser.process(application);

    const QStringList files = parser.positionalArguments();
    if (files.size() > 1)
        parser.showHelp(1);
    if (parser.isSet(screenshot) && files.isEmpty()) {
        std::fprintf(stderr, "bitlens: --screenshot needs a FILE to open\n");
        return 1;
    }

    MainWindow window;
    if (parser.isSet(screenshot)) {
        window.resize(1600, 1000);
        saveScreenshotWhenShown(window, parser.value(screenshot));
    }
    if (parser.isSet(images) != parser.isSet(labels)) {
        std::fprintf(stderr, "bitlens: --images and --labels go together\n");
        return 1;
    }
    bool scaleValid = false;
    const double scale = parser.value(inputScale).toDouble(&scaleValid);
    if (!scaleValid || !(scale > 0)) {
        std::fprintf(stderr, "bitlens: --input-scale needs a positive number\n");
        return 1;
    }
    // Given on the command line, the data set wins over the one remembered for the file.
    if (parser.isSet(images))
        QObject::connect(window.document(), &CheckpointDocument::opened, &window, [&] {
            window.evaluationPanel()->setDataset(parser.value(images), parser.value(labels), scale);
        });
    if (parser.isSet(text) || parser.isSet(tokenizer))
        QObject::connect(window.document(), &CheckpointDocument::opened, &window, [&] {
            window.evaluationPanel()->setText(parser.value(text), parser.value(tokenizer));
        });
    window.show();
    if (!files.isEmpty())
        window.openPath(files.first());
    return QApplication::exec();
}

// Child process of the history crash test: streams a reply into the history the way the app
// does (through StreamingReplyWriter, driven by the event loop), printing "emitted <n>" after
// each piece, until its parent kills it with SIGKILL.
//   history_crash_child <database> <conversation-id-out-file>
#include "history_store.h"
#include "streaming_reply_writer.h"

#include <QCoreApplication>
#include <QTimer>

#include <cstdio>

// Piece n of the reply; the parent rebuilds the same text to check what reached the disk.
static QString piece(int n) {
    return QStringLiteral("word%1 ").arg(n);
}

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    if (argc != 2) {
        std::fprintf(stderr, "usage: history_crash_child <database>\n");
        return 2;
    }
    try {
        static tern::app::HistoryStore store(QString::fromLocal8Bit(argv[1]));
        const qint64 conversation = store.createConversation(QStringLiteral("crash test"));
        store.appendMessage(conversation, tern::app::MessageRole::User, QStringLiteral("Tell me a story"));
        const qint64 reply = store.appendMessage(conversation, tern::app::MessageRole::Assistant, {},
                                                 tern::app::MessageState::Streaming);
        static tern::app::StreamingReplyWriter writer(store, reply);
        std::printf("ready %lld\n", static_cast<long long>(conversation));
        std::fflush(stdout);
        static int n = 0;
        static QTimer generator;
        // ~100 pieces a second: faster than any CPU model, so a lost second would be obvious.
        generator.setInterval(10);
        QObject::connect(&generator, &QTimer::timeout, [] {
            writer.append(piece(n));
            std::printf("emitted %d\n", ++n);
            std::fflush(stdout);
        });
        generator.start();
        return app.exec();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "history_crash_child: %s\n", e.what());
        return 1;
    }
}

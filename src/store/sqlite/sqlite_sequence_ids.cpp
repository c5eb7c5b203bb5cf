#include "store/sqlite/sqlite_sequence_ids.h"

#include <memory>

namespace parley::sqlite {

Result<int64_t> SqliteSequenceIds::next(const ConversationKey& key) {
  ConversationCounters& counters = messages_.counters();
  int64_t value = 0;
  VoidResult written = db_.writeBeforeCommit([&]() -> VoidResult {
    Result<int64_t> last = counters.lastInWrite(key);
    if (!last.ok()) return last.status();
    if (const VoidResult done = counters.recordInWrite(key, last.value() + 1); !done.ok()) {
      return done;
    }
    value = last.value() + 1;
    return {};
  });
  if (!written.ok()) return written.status();
  return value;
}

void SqliteSequenceIds::numberAndStoreAsync(MessageRecord message, MessageRepository& messages,
                                            std::function<void(Result<int64_t>)> done) {
  if (&messages != &messages_) {
    SequenceIds::numberAndStoreAsync(std::move(message), messages, std::move(done));
    return;
  }
  auto numbered = std::make_shared<MessageRecord>(std::move(message));
  db_.writeAsync(
      [this, numbered]() -> VoidResult {
        // One lookup of the conversation numbers the message and prepares its counter.
        Result<int64_t> last = messages_.counters().prepareToStoreInWrite(
            ConversationKey::of(*numbered), numbered->id);
        if (!last.ok()) return last.status();
        numbered->sequence_id = last.value() + 1;
        return messages_.insertInWrite(*numbered);
      },
      [numbered, done = std::move(done)](VoidResult written) {
        if (!written.ok()) {
          done(written.status());
        } else {
          done(numbered->sequence_id);
        }
      },
      // Reads, then insertInWrite: nothing to undo when it fails (see insertLocked).
      Database::Undo::kNothingToUndo);
}

}  // namespace parley::sqlite

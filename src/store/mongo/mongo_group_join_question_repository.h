#pragma once
// GroupJoinQuestionRepository on MongoDB, over upstream's `groupJoinQuestion` collection and the
// group's join questions version on its document (`qlud`, beside the other versions; spec and
// shard key in the .cpp, next to the queries).
//
// Without transactions, each write stores the questions first and then moves the versions: a
// failure in between leaves the version behind until the next change. insertMany is one ordered
// insert; when it stops at an id that exists, it removes the questions it inserted before that one
// (moving their groups' versions, as readers may have seen them), so a duplicate stores none of
// them. Should that removal fail, or the insert fail otherwise midway (a lost server), the first
// questions may stay stored and the call fails; a retry then meets them as duplicates. Behind
// mongos, ids are unique per shard (the shard key is the group): a duplicate id of another group's
// question may be stored; ids are new Snowflake ids, so only a retry repeats one, and it names the
// same group.
#include <vector>

#include "store/group_join_question_repository.h"
#include "store/mongo/mongo_client.h"
#include "store/mongo/mongo_schema.h"

namespace parley::mongo {

class MongoGroupJoinQuestionRepository final : public GroupJoinQuestionRepository {
 public:
  // connection must outlive the repository.
  explicit MongoGroupJoinQuestionRepository(const Connection& connection)
      : connection_(connection) {}

  static const std::vector<CollectionSpec>& collections();

  VoidResult insertMany(std::span<const GroupJoinQuestionRecord> questions,
                        int64_t now_millis) override;
  Result<std::optional<GroupJoinQuestionRecord>> findById(int64_t id) override;
  Result<std::vector<GroupJoinQuestionRecord>> findByGroup(int64_t group_id) override;
  Result<bool> update(const GroupJoinQuestionUpdate& update, int64_t now_millis) override;
  Result<int64_t> removeMany(int64_t group_id, std::span<const int64_t> ids,
                             int64_t now_millis) override;
  Result<std::vector<GroupJoinQuestionRecord>> search(const GroupJoinQuestionSearch& search,
                                                      int64_t skip, int64_t limit) override;
  Result<int64_t> count(const GroupJoinQuestionSearch& search) override;
  Result<std::optional<int64_t>> findVersion(int64_t group_id) override;

 private:
  const Connection& connection_;
};

}  // namespace parley::mongo

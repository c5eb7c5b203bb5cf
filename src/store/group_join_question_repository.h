#pragma once
// A group's join questions (upstream's `groupJoinQuestion` collection) and the version clients
// sync them by (upstream's groupVersion.jq). A group whose type joins by QUESTION lets in a user
// whose correct answers score at least the group's minimum score.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "core/result.h"

namespace parley {

struct GroupJoinQuestionRecord {
  int64_t id = 0;
  int64_t group_id = 0;
  std::string question;
  // Every accepted answer, in the order they were given, without repeats.
  std::vector<std::string> answers;
  int32_t score = 0;  // what a correct answer adds; never negative

  bool operator==(const GroupJoinQuestionRecord&) const = default;
};

// answers as a question keeps them: each once, where it first came (upstream keeps a set). Every
// store writes answers through this.
inline std::vector<std::string> distinctAnswers(std::span<const std::string> answers) {
  std::vector<std::string> distinct;
  std::unordered_set<std::string_view> seen;
  for (const std::string& answer : answers) {
    if (seen.insert(answer).second) distinct.push_back(answer);
  }
  return distinct;
}

// A change of one question; unset fields keep their value.
struct GroupJoinQuestionUpdate {
  int64_t id = 0;
  std::optional<std::string> question;
  std::optional<std::vector<std::string>> answers;
  std::optional<int32_t> score;
};

// The admin API's listing (upstream's GroupQuestionController): an empty list does not filter.
struct GroupJoinQuestionSearch {
  std::vector<int64_t> ids;
  std::vector<int64_t> group_ids;
};

class GroupJoinQuestionRepository {
 public:
  virtual ~GroupJoinQuestionRepository() = default;

  // Stores new questions (of any groups) and moves each of their groups' join questions version
  // forward (to now_millis, or just past its current value when that is not earlier). An id that
  // exists fails the call with kRecordContainsDuplicateKey and stores none of them.
  virtual VoidResult insertMany(std::span<const GroupJoinQuestionRecord> questions,
                                int64_t now_millis) = 0;
  virtual Result<std::optional<GroupJoinQuestionRecord>> findById(int64_t id) = 0;
  // Ordered by id.
  virtual Result<std::vector<GroupJoinQuestionRecord>> findByGroup(int64_t group_id) = 0;

  // Changes the question and moves its group's version; false when there is no such question
  // (then nothing changes). An update that sets nothing changes nothing and answers whether the
  // question exists.
  virtual Result<bool> update(const GroupJoinQuestionUpdate& update, int64_t now_millis) = 0;
  // Deletes those of ids that are questions of group_id (a question of another group stays) and
  // moves the group's version when any went. Returns how many went.
  virtual Result<int64_t> removeMany(int64_t group_id, std::span<const int64_t> ids,
                                     int64_t now_millis) = 0;

  // By id: the first `skip` matches skipped, at most `limit` of the rest.
  virtual Result<std::vector<GroupJoinQuestionRecord>> search(const GroupJoinQuestionSearch& search,
                                                              int64_t skip, int64_t limit) = 0;
  virtual Result<int64_t> count(const GroupJoinQuestionSearch& search) = 0;

  // When the group's join questions last changed; nullopt when they never did.
  virtual Result<std::optional<int64_t>> findVersion(int64_t group_id) = 0;
};

}  // namespace parley

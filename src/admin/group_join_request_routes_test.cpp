#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>
#include <vector>

#include "admin/admin_store_test_fixture.h"

namespace parley {
namespace {

namespace json = boost::json;

class GroupJoinRequestRoutesTest : public testing::AdminStoreTest {
 protected:
  // Users 1 to 4; group 10 owned by 1, group 11 owned by 1 and deleted.
  void SetUp() override {
    for (const int64_t id : {1, 2, 3, 4}) addUser(id);
    addGroup(10, 1);
    addDeletedGroup(11, 1);
  }

  // A stored request to join group 10, written as a client's would be; answered by 1 unless
  // pending.
  void storeRequest(int64_t id, int64_t requester_id, int64_t created,
                    RequestStatus status = RequestStatus::kPending) {
    GroupJoinRequestRecord request;
    request.id = id;
    request.group_id = 10;
    request.requester_id = requester_id;
    request.content = "hi";
    request.status = status;
    request.creation_date = created;
    if (status != RequestStatus::kPending) {
      request.responder_id = 1;
      request.response_date = created + 1;
    }
    ASSERT_TRUE(store_->groupJoinRequests().insert(request, created).ok());
  }

  std::optional<GroupJoinRequestRecord> stored(int64_t id) {
    return storedIn(store_->groupJoinRequests(), id);
  }

  std::optional<int64_t> groupVersion(int64_t group_id = 10) {
    return store_->groupJoinRequests().findGroupVersion(group_id).value();
  }
  std::optional<int64_t> sentVersion(int64_t user_id) {
    return store_->groupJoinRequests().findSentVersion(user_id).value();
  }
};

TEST_F(GroupJoinRequestRoutesTest, CreateStoresTheRequestAndMovesVersions) {
  const AdminResponse created = call("POST", "/groups/join-requests",
                                     R"({"id":70,"groupId":10,"requesterId":2,"content":"hi"})");
  EXPECT_EQ(dataOf(created),
            (json::value{{"id", 70},
                         {"content", "hi"},
                         {"status", "PENDING"},
                         {"creationDate", kStartMillis},
                         {"responseDate", nullptr},
                         {"reason", nullptr},
                         {"groupId", 10},
                         {"requesterId", 2},
                         {"responderId", nullptr},
                         {"expirationDate", kStartMillis + kRequestExpiryMillis}}));
  const std::optional<GroupJoinRequestRecord> request = stored(70);
  ASSERT_TRUE(request.has_value());
  EXPECT_EQ(request->status, RequestStatus::kPending);
  EXPECT_EQ(groupVersion(), kStartMillis);
  EXPECT_EQ(sentVersion(2), kStartMillis);
}

TEST_F(GroupJoinRequestRoutesTest, CreateOfAnAnswerKeepsItsResponderAndReasonButAddsNoMember) {
  const json::value data = dataOf(call("POST", "/groups/join-requests",
                                       R"({"groupId":10,"requesterId":3,"responderId":1,
                                           "status":"ACCEPTED","responseReason":"ok"})"));
  EXPECT_GT(data.at("id").as_int64(), 0);
  EXPECT_EQ(data.at("status"), "ACCEPTED");
  EXPECT_EQ(data.at("responderId"), 1);
  EXPECT_EQ(data.at("reason"), "ok");
  EXPECT_EQ(data.at("content"), "");
  EXPECT_EQ(data.at("responseDate"), kStartMillis);
  const std::optional<GroupJoinRequestRecord> request = stored(data.at("id").as_int64());
  ASSERT_TRUE(request.has_value());
  EXPECT_EQ(request->responder_id, 1);
  EXPECT_EQ(request->reason, "ok");
  EXPECT_EQ(store_->groupMembers().find(10, 3).value(), std::nullopt);
}

TEST_F(GroupJoinRequestRoutesTest, CreateRefusesWhatClientsCannotSend) {
  const std::string path = "/groups/join-requests";
  EXPECT_EQ(
      refusal(call("POST", path, R"({"groupId":10,"requesterId":2,"content":"01234567890"})"), 400),
      "content: at most 10 characters");
  EXPECT_EQ(
      refusal(call("POST", path, R"({"groupId":10,"requesterId":2,"responseReason":"too long"})"),
              400),
      "responseReason: at most 5 characters");
  EXPECT_EQ(refusal(call("POST", path, R"({"requesterId":2})"), 400), "groupId: required");
  EXPECT_EQ(refusal(call("POST", path, R"({"groupId":10})"), 400), "requesterId: required");
  EXPECT_EQ(refusal(call("POST", path, R"({"groupId":10,"requesterId":2,"id":-1})"), 400),
            "id: must be positive");
  EXPECT_EQ(refusal(call("POST", path, R"({"groupId":10,"requesterId":2,"status":9})"), 400)
                .substr(0, 25),
            "status: must be one of PE");
  EXPECT_EQ(refusal(call("POST", path,
                         R"({"groupId":10,"requesterId":2,"responseDate":)" +
                             std::to_string(kStartMillis + 1) + "}"),
                    400),
            "responseDate: must not be in the future");
  // The reason of AddGroupJoinRequestDTO is responseReason.
  EXPECT_EQ(refusal(call("POST", path, R"({"groupId":10,"requesterId":2,"reason":"x"})"), 400),
            "reason: unknown field");
  EXPECT_EQ(refusal(call("POST", path, R"({"groupId":11,"requesterId":2})"), 404),
            "groupId: group 11 does not exist");
  EXPECT_EQ(refusal(call("POST", path, R"({"groupId":10,"requesterId":9})"), 404),
            "requesterId: user 9 does not exist");
  EXPECT_EQ(refusal(call("POST", path, R"({"groupId":10,"requesterId":2,"responderId":9})"), 404),
            "responderId: user 9 does not exist");
  storeRequest(5, 2, kCreated);
  EXPECT_EQ(refusal(call("POST", path, R"({"id":5,"groupId":10,"requesterId":3})"), 409),
            "id: group join request 5 already exists");
  EXPECT_EQ(stored(5)->requester_id, 2);
  EXPECT_EQ(store_->groupJoinRequests().count({}).value(), 1);
}

TEST_F(GroupJoinRequestRoutesTest, ListFiltersByEffectiveStatusUsersAndDates) {
  storeRequest(1, 2, kStartMillis - 2 * kRequestExpiryMillis);  // pending, so expired by now
  storeRequest(2, 3, kStartMillis - 1000);                      // pending
  storeRequest(3, 4, kStartMillis - 500, RequestStatus::kDeclined);
  const std::string path = "/groups/join-requests";
  EXPECT_EQ(idsOf(dataOf(call("GET", path))), (std::vector<int64_t>{3, 2, 1}));
  EXPECT_EQ(idsOf(dataOf(call("GET", path + "?statuses=EXPIRED"))), std::vector<int64_t>{1});
  EXPECT_EQ(idsOf(dataOf(call("GET", path + "?statuses=5"))), std::vector<int64_t>{1});
  const json::value expired = dataOf(call("GET", path + "?ids=1")).at(0);
  EXPECT_EQ(expired.at("status"), "EXPIRED");
  EXPECT_EQ(expired.at("expirationDate"), kStartMillis - kRequestExpiryMillis);
  EXPECT_EQ(idsOf(dataOf(call("GET", path + "?statuses=PENDING,DECLINED"))),
            (std::vector<int64_t>{3, 2}));
  EXPECT_EQ(idsOf(dataOf(call("GET", path + "?requesterIds=3,4"))), (std::vector<int64_t>{3, 2}));
  EXPECT_EQ(idsOf(dataOf(call("GET", path + "?responderIds=1"))), std::vector<int64_t>{3});
  EXPECT_EQ(idsOf(dataOf(call("GET", path + "?groupIds=11"))), std::vector<int64_t>{});
  EXPECT_EQ(
      idsOf(dataOf(call("GET", path + "?creationDateEnd=" + std::to_string(kStartMillis - 1000)))),
      std::vector<int64_t>{1});
  EXPECT_EQ(
      idsOf(dataOf(call("GET", path + "?responseDateStart=" + std::to_string(kStartMillis - 500)))),
      std::vector<int64_t>{3});
  // Expiration dates are creation dates an hour on.
  EXPECT_EQ(idsOf(dataOf(call("GET", path + "?expirationDateEnd=" + std::to_string(kStartMillis)))),
            std::vector<int64_t>{1});
  const json::value page = dataOf(call("GET", path + "/page?size=2&page=0&requesterIds=2,3"));
  EXPECT_EQ(page.at("total"), 2);
  EXPECT_EQ(idsOf(page.at("records")), (std::vector<int64_t>{2, 1}));
  EXPECT_EQ(dataOf(call("GET", path + "/page?page=1")).at("records"), json::array());
  EXPECT_EQ(refusal(call("GET", path + "?statuses=9"), 400), "statuses: unknown status 9");
  EXPECT_EQ(refusal(call("GET", path + "?expirationDateStart=soon"), 400),
            "expirationDateStart: must be a date in Unix milliseconds");
}

TEST_F(GroupJoinRequestRoutesTest, UpdateRewritesTheGivenFieldsAndMovesEveryonesVersions) {
  storeRequest(1, 2, kStartMillis - 1000);
  clock_.advance(5000);
  const AdminResponse updated = call("PUT", "/groups/join-requests?ids=1,404",
                                     R"({"requesterId":3,"responderId":1,"status":"DECLINED"})");
  EXPECT_EQ(dataOf(updated), (json::value{{"updatedCount", 1}}));
  const std::optional<GroupJoinRequestRecord> request = stored(1);
  EXPECT_EQ(request->requester_id, 3);
  EXPECT_EQ(request->responder_id, 1);
  EXPECT_EQ(request->status, RequestStatus::kDeclined);
  EXPECT_EQ(request->content, "hi");
  // The old requester's list lost it, the new one's gained it; the group's changed.
  EXPECT_EQ(sentVersion(2), kStartMillis + 5000);
  EXPECT_EQ(sentVersion(3), kStartMillis + 5000);
  EXPECT_EQ(groupVersion(), kStartMillis + 5000);
}

TEST_F(GroupJoinRequestRoutesTest, UpdateRefusesBeforeWritingAnything) {
  storeRequest(1, 2, kStartMillis);
  const std::string path = "/groups/join-requests?ids=1";
  EXPECT_EQ(refusal(call("PUT", path, R"({"responderId":9})"), 404),
            "responderId: user 9 does not exist");
  EXPECT_EQ(refusal(call("PUT", path, R"({"groupId":99})"), 404),
            "groupId: group 99 does not exist");
  // Upstream's UpdateGroupJoinRequestDTO has no reason.
  EXPECT_EQ(refusal(call("PUT", path, R"({"responseReason":"ok"})"), 400),
            "responseReason: unknown field");
  EXPECT_EQ(refusal(call("PUT", path, R"({"creationDate":"x"})"), 400),
            "creationDate: must be a 64-bit integer");
  EXPECT_EQ(refusal(call("PUT", path, "{}"), 400), "body: no field to update");
  EXPECT_EQ(refusal(call("PUT", "/groups/join-requests", R"({"content":"x"})"), 400),
            "ids: required");
  EXPECT_EQ(stored(1)->responder_id, std::nullopt);
}

TEST_F(GroupJoinRequestRoutesTest, DeleteRemovesTheIdsGiven) {
  storeRequest(1, 2, kStartMillis);
  storeRequest(2, 3, kStartMillis);
  clock_.advance(5000);
  EXPECT_EQ(dataOf(call("DELETE", "/groups/join-requests?ids=1,404")),
            (json::value{{"deletedCount", 1}}));
  EXPECT_FALSE(stored(1).has_value());
  EXPECT_TRUE(stored(2).has_value());
  EXPECT_EQ(sentVersion(2), kStartMillis + 5000);
  EXPECT_EQ(groupVersion(), kStartMillis + 5000);
  EXPECT_EQ(refusal(call("DELETE", "/groups/join-requests"), 400), "ids: required");
}

}  // namespace
}  // namespace parley

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>

#include "admin/admin_store_test_fixture.h"

namespace parley {
namespace {

namespace json = boost::json;

class FriendRequestRoutesTest : public testing::AdminStoreTest {
 protected:
  void SetUp() override {
    for (const int64_t id : {1, 2, 3}) addUser(id);
  }

  // A stored request, written as a client's would be.
  void storeRequest(int64_t id, int64_t requester_id, int64_t recipient_id, int64_t created,
                    RequestStatus status = RequestStatus::kPending) {
    FriendRequestRecord request;
    request.id = id;
    request.requester_id = requester_id;
    request.recipient_id = recipient_id;
    request.content = "hi";
    request.status = status;
    request.creation_date = created;
    ASSERT_TRUE(store_->friendRequests().insert(request, created).ok());
  }

  std::optional<FriendRequestRecord> stored(int64_t id) {
    return storedIn(store_->friendRequests(), id);
  }
};

TEST_F(FriendRequestRoutesTest, CreateStoresTheRequestAndMovesVersions) {
  const AdminResponse created = call("POST", "/users/relationships/friend-requests",
                                     R"({"id":70,"requesterId":1,"recipientId":2,"content":"hi"})");
  EXPECT_EQ(dataOf(created),
            (json::value{{"id", 70},
                         {"content", "hi"},
                         {"status", "PENDING"},
                         {"reason", nullptr},
                         {"creationDate", kStartMillis},
                         {"responseDate", nullptr},
                         {"requesterId", 1},
                         {"recipientId", 2},
                         {"expirationDate", kStartMillis + kRequestExpiryMillis}}));
  const std::optional<FriendRequestRecord> request = stored(70);
  ASSERT_TRUE(request.has_value());
  EXPECT_EQ(request->status, RequestStatus::kPending);
  EXPECT_EQ(store_->friendRequests().findSentVersion(1).value(), kStartMillis);
  EXPECT_EQ(store_->friendRequests().findReceivedVersion(2).value(), kStartMillis);
}

TEST_F(FriendRequestRoutesTest, CreateGivesAnIdAndAResponseDateToAnAnswer) {
  const json::value data =
      dataOf(call("POST", "/users/relationships/friend-requests",
                  R"({"requesterId":1,"recipientId":2,"content":"hi","status":"DECLINED",
                      "reason":"no"})"));
  EXPECT_GT(data.at("id").as_int64(), 0);
  EXPECT_EQ(data.at("status"), "DECLINED");
  EXPECT_EQ(data.at("responseDate"), kStartMillis);
  const std::optional<FriendRequestRecord> request = stored(data.at("id").as_int64());
  ASSERT_TRUE(request.has_value());
  EXPECT_EQ(request->reason, "no");
  EXPECT_EQ(request->response_date, kStartMillis);
}

TEST_F(FriendRequestRoutesTest, CreateRefusesWhatClientsCannotSend) {
  const std::string path = "/users/relationships/friend-requests";
  EXPECT_EQ(refusal(call("POST", path, R"({"requesterId":1,"recipientId":1,"content":""})"), 400),
            "recipientId: must not be equal to the requester ID");
  EXPECT_EQ(
      refusal(call("POST", path, R"({"requesterId":1,"recipientId":2,"content":"01234567890"})"),
              400),
      "content: at most 10 characters");
  EXPECT_EQ(refusal(call("POST", path, R"({"requesterId":1,"recipientId":2})"), 400),
            "content: required");
  EXPECT_EQ(refusal(call("POST", path,
                         R"({"requesterId":1,"recipientId":2,"content":"","status":"MAYBE"})"),
                    400)
                .substr(0, 25),
            "status: must be one of PE");
  EXPECT_EQ(refusal(call("POST", path, R"({"requesterId":1,"recipientId":9,"content":""})"), 404),
            "recipientId: user 9 does not exist");
  storeRequest(5, 1, 2, kStartMillis);
  EXPECT_EQ(
      refusal(call("POST", path, R"({"id":5,"requesterId":2,"recipientId":3,"content":""})"), 409),
      "id: friend request 5 already exists");
  EXPECT_EQ(stored(5)->requester_id, 1);
}

TEST_F(FriendRequestRoutesTest, ListFiltersByEffectiveStatusUsersAndDates) {
  storeRequest(1, 1, 2, kStartMillis - 2 * kRequestExpiryMillis);  // pending, so expired by now
  storeRequest(2, 1, 3, kStartMillis - 1000);                      // pending
  storeRequest(3, 2, 3, kStartMillis - 500, RequestStatus::kDeclined);
  const std::string path = "/users/relationships/friend-requests";
  EXPECT_EQ(idsOf(dataOf(call("GET", path))), (std::vector<int64_t>{3, 2, 1}));
  EXPECT_EQ(idsOf(dataOf(call("GET", path + "?statuses=EXPIRED"))), std::vector<int64_t>{1});
  EXPECT_EQ(dataOf(call("GET", path + "?ids=1")).at(0).at("status"), "EXPIRED");
  EXPECT_EQ(idsOf(dataOf(call("GET", path + "?statuses=PENDING,DECLINED"))),
            (std::vector<int64_t>{3, 2}));
  EXPECT_EQ(idsOf(dataOf(call("GET", path + "?requesterIds=1&recipientIds=3"))),
            std::vector<int64_t>{2});
  EXPECT_EQ(idsOf(dataOf(
                call("GET", path + "?creationDateStart=" + std::to_string(kStartMillis - 1000)))),
            (std::vector<int64_t>{3, 2}));
  // Expiration dates are creation dates an hour on.
  EXPECT_EQ(idsOf(dataOf(call("GET", path + "?expirationDateEnd=" + std::to_string(kStartMillis)))),
            std::vector<int64_t>{1});
  const json::value page = dataOf(call("GET", path + "/page?size=1&page=1"));
  EXPECT_EQ(page.at("total"), 3);
  EXPECT_EQ(idsOf(page.at("records")), std::vector<int64_t>{2});
  EXPECT_EQ(refusal(call("GET", path + "?statuses=SOON"), 400), "statuses: unknown status SOON");
}

TEST_F(FriendRequestRoutesTest, UpdateRewritesTheGivenFieldsAndMovesEveryonesVersions) {
  storeRequest(1, 1, 2, kStartMillis - 1000);
  clock_.advance(5000);
  const AdminResponse updated = call("PUT", "/users/relationships/friend-requests?ids=1,404",
                                     R"({"recipientId":3,"status":"IGNORED","reason":"later"})");
  EXPECT_EQ(dataOf(updated), (json::value{{"updatedCount", 1}}));
  const std::optional<FriendRequestRecord> request = stored(1);
  EXPECT_EQ(request->recipient_id, 3);
  EXPECT_EQ(request->status, RequestStatus::kIgnored);
  EXPECT_EQ(request->reason, "later");
  EXPECT_EQ(request->content, "hi");
  // The old recipient's list lost it, the new one's gained it.
  EXPECT_EQ(store_->friendRequests().findReceivedVersion(2).value(), kStartMillis + 5000);
  EXPECT_EQ(store_->friendRequests().findReceivedVersion(3).value(), kStartMillis + 5000);
}

TEST_F(FriendRequestRoutesTest, UpdateRefusesBeforeWritingAnything) {
  storeRequest(1, 1, 2, kStartMillis);
  storeRequest(2, 2, 3, kStartMillis);
  const std::string path = "/users/relationships/friend-requests?ids=1,2";
  // Request 2 would become 2 -> 2.
  EXPECT_EQ(refusal(call("PUT", path, R"({"recipientId":2})"), 400),
            "body: friend request 2 would have the same requester and recipient");
  EXPECT_EQ(stored(1)->recipient_id, 2);
  EXPECT_EQ(refusal(call("PUT", path, R"({"requesterId":9})"), 404),
            "requesterId: user 9 does not exist");
  EXPECT_EQ(refusal(call("PUT", path, "{}"), 400), "body: no field to update");
  EXPECT_EQ(refusal(call("PUT", "/users/relationships/friend-requests", R"({"content":"x"})"), 400),
            "ids: required");
}

TEST_F(FriendRequestRoutesTest, DeleteRemovesTheIdsGiven) {
  storeRequest(1, 1, 2, kStartMillis);
  storeRequest(2, 1, 3, kStartMillis);
  clock_.advance(5000);
  EXPECT_EQ(dataOf(call("DELETE", "/users/relationships/friend-requests?ids=1,404")),
            (json::value{{"deletedCount", 1}}));
  EXPECT_FALSE(stored(1).has_value());
  EXPECT_TRUE(stored(2).has_value());
  EXPECT_EQ(store_->friendRequests().findReceivedVersion(2).value(), kStartMillis + 5000);
  EXPECT_EQ(refusal(call("DELETE", "/users/relationships/friend-requests"), 400), "ids: required");
}

}  // namespace
}  // namespace parley

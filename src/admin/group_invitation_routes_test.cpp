#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>
#include <vector>

#include "admin/admin_store_test_fixture.h"

namespace parley {
namespace {

namespace json = boost::json;

class GroupInvitationRoutesTest : public testing::AdminStoreTest {
 protected:
  // Users 1 to 4; group 10 owned by 1, group 11 owned by 1 and deleted.
  void SetUp() override {
    for (const int64_t id : {1, 2, 3, 4}) addUser(id);
    addGroup(10, 1);
    addDeletedGroup(11, 1);
  }

  // A stored invitation to group 10, written as a client's would be.
  void storeInvitation(int64_t id, int64_t inviter_id, int64_t invitee_id, int64_t created,
                       RequestStatus status = RequestStatus::kPending) {
    GroupInvitationRecord invitation;
    invitation.id = id;
    invitation.group_id = 10;
    invitation.inviter_id = inviter_id;
    invitation.invitee_id = invitee_id;
    invitation.content = "hi";
    invitation.status = status;
    invitation.creation_date = created;
    if (status != RequestStatus::kPending) invitation.response_date = created + 1;
    ASSERT_TRUE(store_->groupInvitations().insert(invitation, created).ok());
  }

  std::optional<GroupInvitationRecord> stored(int64_t id) {
    return storedIn(store_->groupInvitations(), id);
  }

  std::optional<int64_t> groupVersion(int64_t group_id = 10) {
    return store_->groupInvitations().findGroupVersion(group_id).value();
  }
  std::optional<int64_t> sentVersion(int64_t user_id) {
    return store_->groupInvitations().findSentVersion(user_id).value();
  }
  std::optional<int64_t> receivedVersion(int64_t user_id) {
    return store_->groupInvitations().findReceivedVersion(user_id).value();
  }
};

TEST_F(GroupInvitationRoutesTest, CreateStoresTheInvitationAndMovesVersions) {
  const AdminResponse created =
      call("POST", "/groups/invitations",
           R"({"id":70,"groupId":10,"inviterId":1,"inviteeId":2,"content":"hi"})");
  EXPECT_EQ(dataOf(created),
            (json::value{{"id", 70},
                         {"groupId", 10},
                         {"inviterId", 1},
                         {"inviteeId", 2},
                         {"content", "hi"},
                         {"status", "PENDING"},
                         {"creationDate", kStartMillis},
                         {"responseDate", nullptr},
                         {"reason", nullptr},
                         {"expirationDate", kStartMillis + kRequestExpiryMillis}}));
  const std::optional<GroupInvitationRecord> invitation = stored(70);
  ASSERT_TRUE(invitation.has_value());
  EXPECT_EQ(invitation->status, RequestStatus::kPending);
  EXPECT_EQ(groupVersion(), kStartMillis);
  EXPECT_EQ(sentVersion(1), kStartMillis);
  EXPECT_EQ(receivedVersion(2), kStartMillis);
  // A record only: nobody joins, even when it says ACCEPTED.
  const json::value accepted = dataOf(
      call("POST", "/groups/invitations",
           R"({"groupId":10,"inviterId":1,"inviteeId":3,"status":"ACCEPTED","creationDate":5})"));
  EXPECT_GT(accepted.at("id").as_int64(), 0);
  EXPECT_EQ(accepted.at("content"), "");
  EXPECT_EQ(accepted.at("creationDate"), 5);
  EXPECT_EQ(accepted.at("responseDate"), kStartMillis);
  EXPECT_EQ(store_->groupMembers().find(10, 3).value(), std::nullopt);
}

TEST_F(GroupInvitationRoutesTest, CreateRefusesWhatClientsCannotSend) {
  const std::string path = "/groups/invitations";
  EXPECT_EQ(refusal(call("POST", path, R"({"groupId":10,"inviterId":1,"inviteeId":1})"), 400),
            "inviteeId: must not be equal to the inviter ID");
  EXPECT_EQ(refusal(call("POST", path,
                         R"({"groupId":10,"inviterId":1,"inviteeId":2,"content":"01234567890"})"),
                    400),
            "content: at most 10 characters");
  EXPECT_EQ(refusal(call("POST", path, R"({"inviterId":1,"inviteeId":2})"), 400),
            "groupId: required");
  EXPECT_EQ(refusal(call("POST", path, R"({"groupId":10,"inviteeId":2})"), 400),
            "inviterId: required");
  EXPECT_EQ(refusal(call("POST", path, R"({"groupId":10,"inviterId":1})"), 400),
            "inviteeId: required");
  EXPECT_EQ(
      refusal(call("POST", path, R"({"groupId":10,"inviterId":1,"inviteeId":2,"id":0})"), 400),
      "id: must be positive");
  EXPECT_EQ(
      refusal(call("POST", path, R"({"groupId":10,"inviterId":1,"inviteeId":2,"status":"MAYBE"})"),
              400)
          .substr(0, 25),
      "status: must be one of PE");
  EXPECT_EQ(refusal(call("POST", path,
                         R"({"groupId":10,"inviterId":1,"inviteeId":2,"creationDate":)" +
                             std::to_string(kStartMillis + 1) + "}"),
                    400),
            "creationDate: must not be in the future");
  // Upstream's AddGroupInvitationDTO has no reason.
  EXPECT_EQ(
      refusal(call("POST", path, R"({"groupId":10,"inviterId":1,"inviteeId":2,"reason":"x"})"),
              400),
      "reason: unknown field");
  EXPECT_EQ(refusal(call("POST", path, R"({"groupId":11,"inviterId":1,"inviteeId":2})"), 404),
            "groupId: group 11 does not exist");
  EXPECT_EQ(refusal(call("POST", path, R"({"groupId":99,"inviterId":1,"inviteeId":2})"), 404),
            "groupId: group 99 does not exist");
  EXPECT_EQ(refusal(call("POST", path, R"({"groupId":10,"inviterId":9,"inviteeId":2})"), 404),
            "inviterId: user 9 does not exist");
  EXPECT_EQ(refusal(call("POST", path, R"({"groupId":10,"inviterId":1,"inviteeId":9})"), 404),
            "inviteeId: user 9 does not exist");
  storeInvitation(5, 1, 2, kCreated);
  EXPECT_EQ(
      refusal(call("POST", path, R"({"id":5,"groupId":10,"inviterId":2,"inviteeId":3})"), 409),
      "id: group invitation 5 already exists");
  EXPECT_EQ(stored(5)->inviter_id, 1);
  EXPECT_EQ(store_->groupInvitations().count({}).value(), 1);
}

TEST_F(GroupInvitationRoutesTest, ListFiltersByEffectiveStatusUsersAndDates) {
  storeInvitation(1, 1, 2, kStartMillis - 2 * kRequestExpiryMillis);  // pending, so expired by now
  storeInvitation(2, 1, 3, kStartMillis - 1000);                      // pending
  storeInvitation(3, 2, 3, kStartMillis - 500, RequestStatus::kDeclined);
  const std::string path = "/groups/invitations";
  EXPECT_EQ(idsOf(dataOf(call("GET", path))), (std::vector<int64_t>{3, 2, 1}));
  EXPECT_EQ(idsOf(dataOf(call("GET", path + "?statuses=EXPIRED"))), std::vector<int64_t>{1});
  EXPECT_EQ(dataOf(call("GET", path + "?ids=1")).at(0).at("status"), "EXPIRED");
  EXPECT_EQ(idsOf(dataOf(call("GET", path + "?statuses=PENDING,3"))), (std::vector<int64_t>{3, 2}));
  EXPECT_EQ(idsOf(dataOf(call("GET", path + "?inviterIds=1&inviteeIds=3"))),
            std::vector<int64_t>{2});
  EXPECT_EQ(idsOf(dataOf(call("GET", path + "?groupIds=10&ids=1,3"))),
            (std::vector<int64_t>{3, 1}));
  EXPECT_EQ(idsOf(dataOf(call("GET", path + "?groupIds=11"))), std::vector<int64_t>{});
  EXPECT_EQ(idsOf(dataOf(
                call("GET", path + "?creationDateStart=" + std::to_string(kStartMillis - 1000)))),
            (std::vector<int64_t>{3, 2}));
  EXPECT_EQ(idsOf(dataOf(call("GET", path + "?responseDateEnd=" + std::to_string(kStartMillis)))),
            std::vector<int64_t>{3});
  // Expiration dates are creation dates an hour on.
  EXPECT_EQ(idsOf(dataOf(call("GET", path + "?expirationDateEnd=" + std::to_string(kStartMillis)))),
            std::vector<int64_t>{1});
  EXPECT_EQ(
      idsOf(dataOf(call("GET", path + "?expirationDateStart=" +
                                   std::to_string(kStartMillis + kRequestExpiryMillis - 1000)))),
      (std::vector<int64_t>{3, 2}));
  const json::value page = dataOf(call("GET", path + "/page?size=1&page=1"));
  EXPECT_EQ(page.at("total"), 3);
  EXPECT_EQ(idsOf(page.at("records")), std::vector<int64_t>{2});
  const json::value expired_page = dataOf(call("GET", path + "/page?statuses=EXPIRED"));
  EXPECT_EQ(expired_page.at("total"), 1);
  EXPECT_EQ(idsOf(dataOf(call("GET", path + "?size=2"))), (std::vector<int64_t>{3, 2}));
  EXPECT_EQ(refusal(call("GET", path + "?statuses=SOON"), 400), "statuses: unknown status SOON");
  EXPECT_EQ(refusal(call("GET", path + "?inviteeIds=x"), 400),
            "inviteeIds: must be a comma-separated list of integers");
}

TEST_F(GroupInvitationRoutesTest, UpdateRewritesTheGivenFieldsAndMovesEveryonesVersions) {
  storeInvitation(1, 1, 2, kStartMillis - 1000);
  clock_.advance(5000);
  const AdminResponse updated = call("PUT", "/groups/invitations?ids=1,404",
                                     R"({"inviteeId":3,"status":"IGNORED","responseDate":7})");
  EXPECT_EQ(dataOf(updated), (json::value{{"updatedCount", 1}}));
  const std::optional<GroupInvitationRecord> invitation = stored(1);
  EXPECT_EQ(invitation->invitee_id, 3);
  EXPECT_EQ(invitation->status, RequestStatus::kIgnored);
  EXPECT_EQ(invitation->response_date, 7);
  EXPECT_EQ(invitation->content, "hi");
  // The old invitee's list lost it, the new one's gained it; the group's changed.
  EXPECT_EQ(receivedVersion(2), kStartMillis + 5000);
  EXPECT_EQ(receivedVersion(3), kStartMillis + 5000);
  EXPECT_EQ(sentVersion(1), kStartMillis + 5000);
  EXPECT_EQ(groupVersion(), kStartMillis + 5000);
  EXPECT_EQ(store_->groupMembers().find(10, 3).value(), std::nullopt);
}

TEST_F(GroupInvitationRoutesTest, UpdateMovesAnInvitationToAnotherGroup) {
  addGroup(12, 4);
  storeInvitation(1, 1, 2, kStartMillis - 1000);
  clock_.advance(5000);
  EXPECT_EQ(dataOf(call("PUT", "/groups/invitations?ids=1", R"({"groupId":12})")),
            (json::value{{"updatedCount", 1}}));
  EXPECT_EQ(stored(1)->group_id, 12);
  EXPECT_EQ(groupVersion(10), kStartMillis + 5000);
  EXPECT_EQ(groupVersion(12), kStartMillis + 5000);
}

TEST_F(GroupInvitationRoutesTest, UpdateRefusesBeforeWritingAnything) {
  storeInvitation(1, 1, 2, kStartMillis);
  storeInvitation(2, 2, 3, kStartMillis);
  const std::string path = "/groups/invitations?ids=1,2";
  // Invitation 2 would become 2 -> 2.
  EXPECT_EQ(refusal(call("PUT", path, R"({"inviteeId":2})"), 400),
            "body: group invitation 2 would have the same inviter and invitee");
  EXPECT_EQ(stored(1)->invitee_id, 2);
  EXPECT_EQ(refusal(call("PUT", path, R"({"inviterId":9})"), 404),
            "inviterId: user 9 does not exist");
  EXPECT_EQ(refusal(call("PUT", path, R"({"groupId":11})"), 404),
            "groupId: group 11 does not exist");
  EXPECT_EQ(refusal(call("PUT", path, R"({"content":"01234567890"})"), 400),
            "content: at most 10 characters");
  EXPECT_EQ(refusal(call("PUT", path, R"({"id":3})"), 400), "id: unknown field");
  EXPECT_EQ(refusal(call("PUT", path, "{}"), 400), "body: no field to update");
  EXPECT_EQ(refusal(call("PUT", "/groups/invitations", R"({"content":"x"})"), 400),
            "ids: required");
  EXPECT_EQ(stored(1)->content, "hi");
}

TEST_F(GroupInvitationRoutesTest, DeleteRemovesTheIdsGiven) {
  storeInvitation(1, 1, 2, kStartMillis);
  storeInvitation(2, 1, 3, kStartMillis);
  clock_.advance(5000);
  EXPECT_EQ(dataOf(call("DELETE", "/groups/invitations?ids=1,404")),
            (json::value{{"deletedCount", 1}}));
  EXPECT_FALSE(stored(1).has_value());
  EXPECT_TRUE(stored(2).has_value());
  EXPECT_EQ(receivedVersion(2), kStartMillis + 5000);
  EXPECT_EQ(groupVersion(), kStartMillis + 5000);
  EXPECT_EQ(refusal(call("DELETE", "/groups/invitations"), 400), "ids: required");
}

}  // namespace
}  // namespace parley

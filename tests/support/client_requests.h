#pragma once
// The requests the end-to-end tests send over and over: log in, send a message, query messages,
// create a group. They live in a namespace of their own because no argument's type brings that
// namespace in through argument-dependent lookup: a test file's own helper of the same name (such
// as mongo_migrate_e2e_test.cpp's loggedIn) stays unambiguous. Take them with using-declarations.
#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/test_helpers.h"

namespace parley::testing::requests {

// Generous for a loaded two-core machine; only a failing test waits that long.
constexpr std::chrono::milliseconds kRequestTimeout = std::chrono::seconds(10);

// Throws unless the login succeeds.
inline std::unique_ptr<TurmsClient> loggedIn(const ParleyProcess& parley, int64_t user,
                                             int device = im::turms::proto::DESKTOP,
                                             Transport transport = Transport::kTcp) {
  auto client = connectTo(parley, transport);
  auto response = client->login(user, "123", device, kRequestTimeout);
  if (response.code() != 1000) {
    throw std::runtime_error("login of " + std::to_string(user) + " failed with " +
                             std::to_string(response.code()));
  }
  return client;
}

inline im::turms::proto::TurmsNotification sendPrivate(
    TurmsClient& client, int64_t to, const std::string& text,
    std::chrono::milliseconds timeout = kRequestTimeout) {
  im::turms::proto::TurmsRequest request;
  request.mutable_create_message_request()->set_recipient_id(to);
  request.mutable_create_message_request()->set_text(text);
  return client.request(request, timeout);
}

inline im::turms::proto::TurmsNotification sendToGroup(TurmsClient& client, int64_t group,
                                                       const std::string& text) {
  im::turms::proto::TurmsRequest request;
  request.mutable_create_message_request()->set_group_id(group);
  request.mutable_create_message_request()->set_text(text);
  return client.request(request, kRequestTimeout);
}

// The private (group = false) or group messages from from_ids; none when the server has none
// (1001), throws on any other failure.
inline std::vector<im::turms::proto::Message> queryMessages(TurmsClient& client, bool group,
                                                            std::vector<int64_t> from_ids) {
  im::turms::proto::TurmsRequest request;
  auto* query = request.mutable_query_messages_request();
  query->set_are_group_messages(group);
  for (auto id : from_ids) query->add_from_ids(id);
  auto response = client.request(request, kRequestTimeout);
  if (response.code() == 1001) return {};
  if (response.code() != 1000) {
    throw std::runtime_error("query failed with " + std::to_string(response.code()));
  }
  const auto& messages = response.data().messages().messages();
  return {messages.begin(), messages.end()};
}

// The demo data's group types, under which members are added directly: "test" (users join by
// asking), "join-request" and "question" (users join by those ways). ParleyProcess lets users
// create groups of them when it seeds the demo data.
inline constexpr int64_t kDemoGroupTypeId = 1;
inline constexpr int64_t kJoinRequestGroupTypeId = 2;
inline constexpr int64_t kQuestionGroupTypeId = 3;

// A new group of a demo type owned by `owner` with `members` added; returns its id, throws on
// failure.
inline int64_t createGroupWith(TurmsClient& owner, std::vector<int64_t> members,
                               int64_t type_id = kDemoGroupTypeId) {
  im::turms::proto::TurmsRequest create;
  create.mutable_create_group_request()->set_name("e2e group");
  create.mutable_create_group_request()->set_type_id(type_id);
  auto created = owner.request(create, kRequestTimeout);
  if (created.code() != 1000) throw std::runtime_error("create group failed");
  const int64_t group_id = created.data().long_();
  im::turms::proto::TurmsRequest add;
  add.mutable_create_group_members_request()->set_group_id(group_id);
  for (auto member : members) add.mutable_create_group_members_request()->add_user_ids(member);
  auto added = owner.request(add, kRequestTimeout);
  if (added.code() != 1000) {
    throw std::runtime_error("add members failed with " + std::to_string(added.code()));
  }
  return group_id;
}

inline bool isMessagePush(const Frame& frame) {
  return isRelayed(frame, im::turms::proto::TurmsRequest::kCreateMessageRequest);
}

}  // namespace parley::testing::requests

#include "service/group/group_enrollment.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "service/group/group_roles.h"
#include "service/group/group_types.h"
#include "store/store.h"

namespace parley {

Result<LiveGroup> liveGroup(ServiceDeps& deps, int64_t group_id, StatusCode inactive_code) {
  auto group = deps.store.groups().findById(group_id);
  if (!group.ok()) return group.status();
  if (!*group || (*group)->deletion_date || !(*group)->is_active) {
    return error(inactive_code);
  }
  auto type = deps.group_types.find((*group)->type_id);
  if (!type.ok()) return type.status();
  if (!*type) return error(inactive_code);
  return LiveGroup{std::move(**group), std::move(**type)};
}

std::optional<HandlerResult> joinRefusal(ServiceDeps& deps, int64_t group_id, int64_t user_id,
                                         bool* already_member) {
  auto group = liveGroup(deps, group_id);
  if (!group.ok()) return HandlerResult::failure(group.status());
  const int64_t user[] = {user_id};
  auto blocked = deps.store.groupBlocklist().findBlockedAmong(group_id, user);
  if (!blocked.ok()) return HandlerResult::failure(blocked.status());
  if (!blocked->empty()) return HandlerResult::failure(StatusCode::kAddBlockedUserToGroup);
  auto members = deps.store.groupMembers().findMemberIds(group_id);
  if (!members.ok()) return HandlerResult::failure(members.status());
  *already_member = std::find(members->begin(), members->end(), user_id) != members->end();
  if (!*already_member && members->size() + 1 > static_cast<size_t>(group->type.group_size_limit)) {
    return HandlerResult::failure(StatusCode::kAddUserToGroupWithSizeLimitReached);
  }
  return std::nullopt;
}

Result<RelayPush> toOwnerManagersAnd(ServiceDeps& deps, int64_t group_id,
                                     std::optional<int64_t> also, int64_t requester_id) {
  auto ids = ownerAndManagerIds(deps, group_id);
  if (!ids.ok()) return ids.status();
  std::vector<int64_t> recipients = std::move(ids).value();
  if (also) recipients.push_back(*also);
  std::sort(recipients.begin(), recipients.end());
  recipients.erase(std::unique(recipients.begin(), recipients.end()), recipients.end());
  std::erase(recipients, requester_id);
  return RelayPush{std::move(recipients), true, std::nullopt};
}

Result<RelayPush> memberAddedPush(ServiceDeps& deps, int64_t group_id, int64_t new_member_id) {
  auto members = deps.store.groupMembers().findMemberIds(group_id);
  if (!members.ok()) return members.status();
  TurmsRequest added;
  auto* create = added.mutable_create_group_members_request();
  create->set_group_id(group_id);
  create->add_user_ids(new_member_id);
  create->set_role(im::turms::proto::MEMBER);
  return RelayPush{std::move(members).value(), false, std::move(added)};
}

void addMemberAddedPushOrWarn(HandlerResult& result, ServiceDeps& deps, int64_t group_id,
                              int64_t new_member_id) {
  if (auto added = memberAddedPush(deps, group_id, new_member_id); added.ok()) {
    result.pushes.push_back(std::move(added).value());
  } else {
    spdlog::warn("group {}: reading whom to tell of new member {} failed: {}", group_id,
                 new_member_id, added.status().reason);
  }
}

void addPushOrWarn(HandlerResult& result, Result<RelayPush> push, const char* what) {
  if (push.ok()) {
    result.pushes.push_back(std::move(push).value());
    return;
  }
  spdlog::warn("group {}: reading whom to tell failed: {}", what, push.status().reason);
  result.pushes.push_back(RelayPush{{}, true, std::nullopt});
}

HandlerResult storeAnswerAndTell(ServiceDeps& deps, int64_t requester_id, int64_t group_id,
                                 int64_t joiner_id, int64_t told, RequestStatus status,
                                 StatusCode not_pending,
                                 const std::function<Result<bool>()>& store_answer) {
  const bool accept = status == RequestStatus::kAccepted;
  bool already_member = false;
  if (accept) {
    if (auto refused = joinRefusal(deps, group_id, joiner_id, &already_member)) return *refused;
  }
  auto answered = store_answer();
  if (!answered.ok()) return HandlerResult::failure(answered.status());
  if (!*answered) return HandlerResult::failure(not_pending);
  HandlerResult result = HandlerResult::ok();
  addPushOrWarn(result, toOwnerManagersAnd(deps, group_id, told, requester_id), "answer");
  if (accept && !already_member) addMemberAddedPushOrWarn(result, deps, group_id, joiner_id);
  return result;
}

}  // namespace parley

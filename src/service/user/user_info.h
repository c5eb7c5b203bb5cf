#pragma once
// A user's public profile as clients receive it (UserInfo): in profile queries and in nearby-user
// answers (upstream: ProtoModelConvertor.userProfile2proto).
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/result.h"
#include "service/service_deps.h"
#include "store/user_repository.h"
#include "turms/model_user.pb.h"

namespace parley {

using UserAttributes =
    std::map<int64_t, google::protobuf::Map<std::string, im::turms::proto::Value>>;

// The users' user-defined attributes, by user id: those the configuration allows now (upstream
// projects its known attributes too). A value that does not parse (damage in the store: only
// Parley writes them) is logged and left out.
Result<UserAttributes> attributesOf(ServiceDeps& deps, const std::vector<UserRecord>& users);

void fillUserInfo(im::turms::proto::UserInfo& info, const UserRecord& user,
                  const UserAttributes& attributes);

}  // namespace parley

#pragma once
// Everything business handlers may use, handed to each domain's register*Handlers function.
// References must outlive the Dispatcher.
namespace parley {

class Clock;
class GroupTypes;
class PasswordHasher;
class SequenceIds;
class SessionControl;
class SessionRegistry;
class SnowflakeIdGenerator;
class UserLocations;
class Store;
struct FriendRequestConfig;
struct GroupConfig;
struct LocationConfig;
struct MessageConfig;
struct UserConfig;

struct ServiceDeps {
  Store& store;
  SessionRegistry& sessions;
  SessionControl& session_control;
  UserLocations& locations;
  SequenceIds& sequence_ids;
  SnowflakeIdGenerator& ids;
  const PasswordHasher& hasher;
  const Clock& clock;
  const MessageConfig& message;
  const GroupConfig& group;
  // The node's copy of the group types, which every group rule reads (group/group_types.h).
  GroupTypes& group_types;
  const FriendRequestConfig& friend_request;
  const UserConfig& user;
  const LocationConfig& location;
};

}  // namespace parley

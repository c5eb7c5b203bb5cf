#include "service/dispatcher.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "service/unimplemented_handlers.h"

namespace parley {
namespace {

TurmsRequest queryProfiles() {
  TurmsRequest request;
  request.set_request_id(1);
  request.mutable_query_user_profiles_request()->add_user_ids(2);
  return request;
}

TEST(Dispatcher, CallsTheRegisteredHandlerWithTheContext) {
  Dispatcher dispatcher;
  int64_t seen_user = 0;
  dispatcher.add(TurmsRequest::kQueryUserProfilesRequest,
                 [&](const RequestContext& ctx, const TurmsRequest& request) {
                   seen_user = ctx.user_id;
                   EXPECT_EQ(request.query_user_profiles_request().user_ids(0), 2);
                   return HandlerResult::failure(StatusCode::kNoContent);
                 });
  RequestContext ctx;
  ctx.user_id = 42;
  auto result = dispatcher.dispatch(ctx, queryProfiles());
  EXPECT_EQ(seen_user, 42);
  EXPECT_EQ(result.status.code, StatusCode::kNoContent);
}

// An asynchronous handler answers later, from another thread; the answer reaches the caller.
TEST(Dispatcher, AnAsynchronousHandlerAnswersFromAnotherThread) {
  Dispatcher dispatcher;
  std::thread worker;
  dispatcher.addAsync(
      TurmsRequest::kQueryUserProfilesRequest,
      [&](const RequestContext& ctx, const TurmsRequest&, Reply reply) {
        worker = std::thread([reply, user = ctx.user_id] { reply(HandlerResult::withLong(user)); });
      });
  RequestContext ctx;
  ctx.user_id = 7;
  auto result = dispatcher.dispatch(ctx, queryProfiles());
  worker.join();
  ASSERT_TRUE(result.data.has_value());
  EXPECT_EQ(result.data->long_(), 7);
}

// The gateway runs asynchronous handlers on the compute threads when the store is local.
TEST(Dispatcher, TellsAsynchronousHandlersApart) {
  Dispatcher dispatcher;
  dispatcher.add(TurmsRequest::kQueryUserProfilesRequest,
                 [](const RequestContext&, const TurmsRequest&) { return HandlerResult::ok(); });
  dispatcher.addAsync(
      TurmsRequest::kCreateMessageRequest,
      [](const RequestContext&, const TurmsRequest&, Reply reply) { reply(HandlerResult::ok()); });
  EXPECT_FALSE(dispatcher.isAsync(TurmsRequest::kQueryUserProfilesRequest));
  EXPECT_TRUE(dispatcher.isAsync(TurmsRequest::kCreateMessageRequest));
  EXPECT_FALSE(dispatcher.isAsync(TurmsRequest::kCreateGroupRequest)) << "not registered";
}

// A handler that loses its reply (a dropped callback) must not leave the client waiting for ever.
TEST(Dispatcher, AReplyDroppedWithoutAnAnswerAnswersAnInternalError) {
  Dispatcher dispatcher;
  dispatcher.addAsync(TurmsRequest::kQueryUserProfilesRequest,
                      [](const RequestContext&, const TurmsRequest&, Reply) {});
  EXPECT_EQ(dispatcher.dispatch({}, queryProfiles()).status.code, StatusCode::kServerInternalError);
}

TEST(Dispatcher, OnlyTheFirstAnswerOfAReplyCounts) {
  std::vector<StatusCode> answers;
  Reply reply([&](HandlerResult result) { answers.push_back(result.status.code); });
  Reply copy = reply;
  reply(HandlerResult::failure(StatusCode::kNoContent));
  copy(HandlerResult::ok());
  EXPECT_EQ(answers, std::vector<StatusCode>{StatusCode::kNoContent});
}

TEST(Dispatcher, UnservedKindGetsAClearError) {
  Dispatcher dispatcher;
  auto result = dispatcher.dispatch({}, queryProfiles());
  EXPECT_EQ(result.status.code, StatusCode::kIllegalArgument);
  EXPECT_NE(result.status.reason.find("query_user_profiles_request"), std::string::npos);
}

TEST(Dispatcher, RequestWithoutKindGetsAClearError) {
  Dispatcher dispatcher;
  TurmsRequest request;
  request.set_request_id(1);
  auto result = dispatcher.dispatch({}, request);
  EXPECT_EQ(result.status.code, StatusCode::kIllegalArgument);
  EXPECT_FALSE(result.status.reason.empty());
}

TEST(Dispatcher, KindNamesComeFromTheProtocol) {
  EXPECT_EQ(requestKindName(queryProfiles()), "query_user_profiles_request");
  EXPECT_EQ(requestKindName(TurmsRequest()), "unknown");
}

TEST(UnimplementedHandlers, AnswerAsUpstreamDoesWithoutPlugins) {
  Dispatcher dispatcher;
  registerUnimplementedHandlers(dispatcher);
  TurmsRequest storage;
  storage.set_request_id(1);
  storage.mutable_query_resource_upload_info_request();
  EXPECT_EQ(dispatcher.dispatch({}, storage).status.code, StatusCode::kStorageNotImplemented);
  TurmsRequest meeting;
  meeting.set_request_id(1);
  meeting.mutable_create_meeting_request();
  EXPECT_EQ(dispatcher.dispatch({}, meeting).status.code, StatusCode::kConferenceNotImplemented);
}

}  // namespace
}  // namespace parley

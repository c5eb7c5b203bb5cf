#pragma once
// Group join questions (CheckGroupJoinQuestionsAnswers 500, CreateGroupJoinQuestions 503,
// DeleteGroupJoinQuestions 506, QueryGroupJoinQuestions 509, UpdateGroupJoinQuestion 511) with
// upstream's rules: turms-service GroupQuestionService (only under the QUESTION join strategy;
// owners and managers manage them; a user whose correct answers score at least the group's
// minimum score joins at once) and GroupServiceController (answers and the member-added push).
#include "service/dispatcher.h"
#include "service/service_deps.h"

namespace parley {

void registerGroupJoinQuestionHandlers(Dispatcher& dispatcher, ServiceDeps deps);

}  // namespace parley

#include "service/unimplemented_handlers.h"

namespace parley {

void registerUnimplementedHandlers(Dispatcher& dispatcher) {
  auto fixed = [](StatusCode code, std::string reason) {
    return [code, reason](const RequestContext&, const TurmsRequest&) {
      return HandlerResult::failure(code, reason);
    };
  };
  const auto storage =
      fixed(StatusCode::kStorageNotImplemented, "No storage service is configured on this server");
  for (auto kind :
       {TurmsRequest::kDeleteResourceRequest, TurmsRequest::kQueryResourceDownloadInfoRequest,
        TurmsRequest::kQueryResourceUploadInfoRequest,
        TurmsRequest::kQueryMessageAttachmentInfosRequest,
        TurmsRequest::kUpdateMessageAttachmentInfoRequest}) {
    dispatcher.add(kind, storage);
  }
  const auto conference = fixed(StatusCode::kConferenceNotImplemented,
                                "No conference service is configured on this server");
  for (auto kind : {TurmsRequest::kCreateMeetingRequest, TurmsRequest::kDeleteMeetingRequest,
                    TurmsRequest::kQueryMeetingsRequest, TurmsRequest::kUpdateMeetingRequest,
                    TurmsRequest::kUpdateMeetingInvitationRequest}) {
    dispatcher.add(kind, conference);
  }
  const auto reactions = fixed(StatusCode::kIllegalArgument, "Message reactions are not supported");
  dispatcher.add(TurmsRequest::kCreateMessageReactionsRequest, reactions);
  dispatcher.add(TurmsRequest::kDeleteMessageReactionsRequest, reactions);
}

}  // namespace parley

#pragma once
// The web console's built files (console/ in the repository), served by the admin port under
// /console/ so that the console shares the admin API's origin and needs no CORS. They are static
// and hold no secret: the console asks for the admin password and sends it with each API call.
#include <string>
#include <string_view>

#include "admin/admin_routes.h"

namespace parley {

// Answers GET `path` ("/console/..." as percent-decoded by parseRequestTarget) from the files in
// `dir`: "/console/" is index.html, a file's content type follows its extension. Refuses (404)
// anything that would leave `dir`, such as "..", and anything that is not a regular file. An empty
// or missing `dir` answers 404 saying the console was not built.
AdminResponse serveConsoleFile(const std::string& dir, std::string_view path);

// The content type a console file is sent with, by its extension.
std::string_view consoleContentType(std::string_view file_name);

}  // namespace parley

// The web app: every path outside /api is a file of the app or, for the app's own routes
// (/scripts/get/u/alice/hello, /runs/<id>, ...), its index.html, so deep links survive a reload.
#pragma once

#include <string>

#include "http/router.h"

namespace millrace::ui {

// Serves the files built into the binary, or, when `dev_dir` is set, the files of that folder
// as they are now (edit and reload, no rebuild), and the built ones (the bundled code editor)
// it does not have.
http::Handler static_site_handler(std::string dev_dir);

}  // namespace millrace::ui

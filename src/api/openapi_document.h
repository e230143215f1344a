// Millrace's own OpenAPI 3 document (api/openapi.yaml, embedded at build time): every route the
// router serves, described. A unit test holds the two to each other.
#pragma once

namespace millrace::api {

extern const char kOpenApiYaml[];

}  // namespace millrace::api

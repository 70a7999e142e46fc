#include "daemon/app/console_files.hpp"

#include <filesystem>

#include "daemon/common/yaml_reader.hpp"

namespace xiaoer::app {
namespace {

constexpr std::string_view kPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; media-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

bool plain_name(std::string_view name) {
  if (name.empty() || name.size() > 64 || name.front() == '.') return false;
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string_view content_type(std::string_view name) {
  const auto ends = [&](std::string_view suffix) {
    return name.size() >= suffix.size() && name.substr(name.size() - suffix.size()) == suffix;
  };
  if (ends(".html")) return "text/html; charset=utf-8";
  if (ends(".js")) return "text/javascript; charset=utf-8";
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".svg")) return "image/svg+xml";
  if (ends(".png")) return "image/png";
  if (ends(".json")) return "application/json";
  return "application/octet-stream";
}

}  // namespace

void add_console_headers(net::HttpResponse& response) {
  response.headers.emplace_back("Content-Security-Policy", std::string(kPolicy));
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  response.headers.emplace_back("Referrer-Policy", "no-referrer");
  response.headers.emplace_back("X-Frame-Options", "DENY");
  response.headers.emplace_back("Cache-Control", "no-cache");
}

net::HttpResponse serve_console_file(const std::string& dir, std::string_view path) {
  net::HttpResponse response;
  add_console_headers(response);
  if (path == "/console") {
    response.status = 301;
    response.headers.emplace_back("Location", "/console/");
    return response;
  }
  std::string_view name = path.substr(std::string_view("/console/").size());
  if (name.empty()) name = "index.html";
  std::string body;
  if (!plain_name(name) || !common::read_file((std::filesystem::path(dir) / name).string(), &body)) {
    response.status = 404;
    response.body = "not found\n";
    return response;
  }
  response.content_type = std::string(content_type(name));
  response.body = std::move(body);
  return response;
}

}  // namespace xiaoer::app

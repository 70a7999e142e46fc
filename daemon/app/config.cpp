#include "daemon/app/config.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

#include "daemon/app/config_table.hpp"
#include "daemon/common/yaml_reader.hpp"

namespace xiaoer::app {
namespace {

using common::YamlReader;

// Reads the config file through the table: a map's allowed keys are the next
// segments of the option names under its path, an option's node goes to its
// row's reader. Every error is reported, reading goes on.
class ConfigReader {
 public:
  ConfigReader(const std::string& file, LoadedConfig& loaded) : reader_(file, loaded.diagnostics), c_(loaded.config) {}

  void read(std::string_view text) {
    const std::optional<YAML::Node> root = reader_.parse(text);
    if (!root || root->IsNull()) return;
    if (!read_map(*root, "")) return;
    const YAML::Node& r = *root;
    if (c_.tls_cert.empty() != c_.tls_key.empty()) reader_.error(r["tls"], "tls needs both cert and key");
    if (c_.gateway_mode == GatewayMode::kClient && c_.gateway_url.rfind("ws://", 0) != 0 &&
        c_.gateway_url.rfind("wss://", 0) != 0) {
      reader_.error(r["gateway"], "gateway.mode client needs gateway.url ws://… or wss://…");
    }
  }

 private:
  // `prefix` is "" for the root, else the map's dotted path and a dot.
  bool read_map(const YAML::Node& node, const std::string& prefix) {
    std::vector<std::string_view> keys;
    for (const ConfigOption& option : config_table()) {
      if (option.name.substr(0, prefix.size()) != prefix) continue;
      const std::string_view rest = option.name.substr(prefix.size());
      const std::string_view key = rest.substr(0, rest.find('.'));
      if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(key);
    }
    const std::string what = prefix.empty() ? "the config" : prefix.substr(0, prefix.size() - 1);
    if (!reader_.check_map(node, what, keys)) return false;
    for (const auto& entry : node) {
      const std::string path = prefix + entry.first.Scalar();
      if (const ConfigOption* option = find_option(path)) {
        option->read(*option, entry.second, reader_, c_);
      } else if (std::find(keys.begin(), keys.end(), entry.first.Scalar()) != keys.end()) {
        read_map(entry.second, path + ".");
      }
    }
    return true;
  }

  YamlReader reader_;
  Config& c_;
};

std::string random_token() {
  std::random_device device;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string token;
  for (int i = 0; i < 32; ++i) token += kHex[device() % 16];
  return token;
}

}  // namespace

LoadedConfig load_config_source(const std::string& file_name, std::string_view text) {
  LoadedConfig loaded;
  try {
    ConfigReader(file_name, loaded).read(text);
  } catch (const YAML::Exception& e) {
    loaded.diagnostics.push_back({{file_name, e.mark.line + 1, e.mark.column + 1}, e.msg});
  }
  return loaded;
}

LoadedConfig load_config(const std::string& path) {
  std::string text;
  if (!common::read_file(path, &text)) {
    LoadedConfig loaded;
    loaded.diagnostics.push_back({{path, 0, 0}, "cannot read config file"});
    return loaded;
  }
  return load_config_source(path, text);
}

std::string agents_file(const Config& config, const std::string& config_path) {
  if (!config.console.agents_file.empty()) return config.console.agents_file;
  return (std::filesystem::path(config_path).parent_path() / "agents.yaml").string();
}

std::string resolve_token(const TokenSource& source, std::string* error) {
  if (!source.env.empty()) {
    if (const char* value = std::getenv(source.env.c_str()); value != nullptr && *value != '\0') return value;
  }
  if (source.file.empty()) {
    *error = "no token: set $" + source.env + " or a token file";
    return "";
  }
  std::ifstream in(source.file);
  std::string line;
  if (in && std::getline(in, line)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (!line.empty()) return line;
  }
  // First start: make a token only this user can read.
  std::error_code ec;
  const auto parent = std::filesystem::path(source.file).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  const std::string token = random_token();
  const int fd = ::open(source.file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    *error = source.file + ": cannot create token file";
    return "";
  }
  const std::string content = token + "\n";
  const bool ok = ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size());
  ::close(fd);
  if (!ok) {
    *error = source.file + ": cannot write token file";
    return "";
  }
  return token;
}

}  // namespace xiaoer::app

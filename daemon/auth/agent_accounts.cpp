#include "daemon/auth/agent_accounts.hpp"

#include <filesystem>

#include "daemon/auth/private_file.hpp"
#include "daemon/common/yaml_reader.hpp"

namespace xiaoer::auth {

const AgentAccount* AgentAccounts::find(std::string_view name) const {
  const auto it = by_name.find(std::string(name));
  return it == by_name.end() ? nullptr : &it->second;
}

bool valid_agent_name(std::string_view name) {
  if (name.empty() || name.size() > 32) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!alnum && (i == 0 || (c != '_' && c != '.' && c != '-'))) return false;
  }
  return true;
}

LoadedAccounts parse_accounts(const std::string& file_name, std::string_view text) {
  LoadedAccounts out;
  common::YamlReader reader(file_name, out.diagnostics);
  const std::optional<YAML::Node> root = reader.parse(text);
  if (!root) return out;
  if (root->IsNull()) return out;
  if (!reader.check_map(*root, "the agents file", {"agents"})) return out;
  const YAML::Node agents = (*root)["agents"];
  if (!agents || agents.IsNull()) return out;
  if (!agents.IsMap()) {
    reader.error(agents, "agents must be a map of name → account");
    return out;
  }
  for (const auto& entry : agents) {
    const std::string name = entry.first.Scalar();
    if (!valid_agent_name(name)) {
      reader.error(entry.first, "agent name '" + name + "' must be 1 to 32 of a-z 0-9 _ . - (a letter or digit first)");
      continue;
    }
    AgentAccount account;
    if (!reader.check_map(entry.second, "an agent", {"secret_hash", "supervisor", "capacity"})) continue;
    const YAML::Node hash = entry.second["secret_hash"];
    if (!hash) {
      reader.error(entry.second, "agent " + name + " has no secret_hash (set one with xiaoerd agent reset " + name + ")");
      continue;
    }
    if (!reader.read_string(hash, "secret_hash", &account.secret_hash)) continue;
    if (const YAML::Node s = entry.second["supervisor"]; s && !reader.read_bool(s, "supervisor", &account.supervisor)) {
      continue;
    }
    if (const YAML::Node c = entry.second["capacity"]; c && !reader.read_int(c, "capacity", 0, 1000, &account.capacity)) {
      continue;
    }
    out.accounts.by_name[name] = std::move(account);
  }
  return out;
}

LoadedAccounts load_accounts(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return {};
  std::string text;
  if (!common::read_file(path, &text)) {
    LoadedAccounts out;
    out.diagnostics.emplace_back(common::SourceLocation{path}, "cannot read the agents file");
    return out;
  }
  return parse_accounts(path, text);
}

std::string render_accounts(const AgentAccounts& accounts) {
  std::string out =
      "# Agent accounts of the console (docs/console.md). Edit with `xiaoerd agent add|list|remove|reset`;\n"
      "# the daemon reads this file at start and on reload. Secrets are stored as salted PBKDF2 hashes only.\n"
      "agents:\n";
  if (accounts.by_name.empty()) out = out.substr(0, out.size() - 1) + " {}\n";
  for (const auto& [name, account] : accounts.by_name) {
    out += "  " + name + ":\n";
    out += "    secret_hash: \"" + account.secret_hash + "\"\n";
    out += std::string("    supervisor: ") + (account.supervisor ? "true" : "false") + "\n";
    out += "    capacity: " + std::to_string(account.capacity) + "\n";
  }
  return out;
}

bool save_accounts(const std::string& path, const AgentAccounts& accounts, std::string* error) {
  return write_private_file(path, render_accounts(accounts), error);
}

}  // namespace xiaoer::auth

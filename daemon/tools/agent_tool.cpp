#include "daemon/tools/agent_tool.hpp"

#include <charconv>
#include <optional>
#include <ostream>

#include "daemon/auth/agent_accounts.hpp"
#include "daemon/auth/secret_hash.hpp"

namespace xiaoer::tools {
namespace {

constexpr std::string_view kUsage =
    "usage: xiaoerd agent add NAME [--supervisor] [--capacity N] [--config FILE]\n"
    "       xiaoerd agent set NAME [--supervisor|--no-supervisor] [--capacity N] [--config FILE]\n"
    "       xiaoerd agent list|remove NAME|reset NAME [--config FILE]\n";

struct Options {
  std::string verb, name;
  std::optional<bool> supervisor;
  std::optional<int> capacity;
};

bool parse(const std::vector<std::string>& args, Options* o, std::ostream& err) {
  std::vector<std::string> positional;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--supervisor") {
      o->supervisor = true;
    } else if (args[i] == "--no-supervisor") {
      o->supervisor = false;
    } else if (args[i] == "--capacity" && i + 1 < args.size()) {
      int value = 0;
      const std::string& text = args[++i];
      const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
      if (ec != std::errc() || end != text.data() + text.size() || value < 0 || value > 1000) {
        err << "xiaoerd agent: --capacity must be 0 to 1000\n";
        return false;
      }
      o->capacity = value;
    } else if (args[i].starts_with("--")) {
      err << "xiaoerd agent: unknown option " << args[i] << "\n" << kUsage;
      return false;
    } else {
      positional.push_back(args[i]);
    }
  }
  if (positional.empty()) {
    err << kUsage;
    return false;
  }
  o->verb = positional[0];
  const bool wants_name = o->verb != "list";
  if (positional.size() != (wants_name ? 2u : 1u)) {
    err << kUsage;
    return false;
  }
  if (wants_name) o->name = positional[1];
  return true;
}

}  // namespace

int run_agent(const std::vector<std::string>& args, const std::string& agents_file, std::ostream& out,
              std::ostream& err) {
  Options o;
  if (!parse(args, &o, err)) return 2;
  auth::LoadedAccounts loaded = auth::load_accounts(agents_file);
  for (const auto& d : loaded.diagnostics) err << d.to_string() << "\n";
  if (common::has_errors(loaded.diagnostics)) return 1;
  auth::AgentAccounts& accounts = loaded.accounts;

  if (o.verb == "list") {
    for (const auto& [name, account] : accounts.by_name) {
      out << name << (account.supervisor ? "  supervisor" : "  agent") << "  capacity " << account.capacity << "\n";
    }
    return 0;
  }
  if (!auth::valid_agent_name(o.name)) {
    err << "xiaoerd agent: '" << o.name << "' is not a valid name (1 to 32 of a-z 0-9 _ . -, a letter or digit first)\n";
    return 2;
  }
  auth::AgentAccount* existing = accounts.by_name.contains(o.name) ? &accounts.by_name[o.name] : nullptr;
  std::string secret;
  if (o.verb == "add") {
    if (existing) {
      err << "xiaoerd agent: " << o.name << " exists (use reset for a new secret)\n";
      return 1;
    }
    secret = auth::new_secret();
    auth::AgentAccount account;
    account.secret_hash = auth::hash_secret(secret);
    account.supervisor = o.supervisor.value_or(false);
    account.capacity = o.capacity.value_or(account.capacity);
    accounts.by_name[o.name] = account;
  } else if (o.verb == "remove" || o.verb == "reset" || o.verb == "set") {
    if (!existing) {
      err << "xiaoerd agent: no agent " << o.name << " in " << agents_file << "\n";
      return 1;
    }
    if (o.verb == "remove") {
      accounts.by_name.erase(o.name);
    } else if (o.verb == "reset") {
      secret = auth::new_secret();
      existing->secret_hash = auth::hash_secret(secret);
    } else {
      if (o.supervisor) existing->supervisor = *o.supervisor;
      if (o.capacity) existing->capacity = *o.capacity;
    }
  } else {
    err << "xiaoerd agent: unknown command '" << o.verb << "'\n" << kUsage;
    return 2;
  }
  std::string error;
  if (!auth::save_accounts(agents_file, accounts, &error)) {
    err << "xiaoerd agent: " << error << "\n";
    return 1;
  }
  if (!secret.empty()) {
    out << "agent " << o.name << ": secret " << secret << "\n"
        << "(shown once; give it to " << o.name << " to log in at /console/. Reload the daemon to apply.)\n";
  } else {
    out << "agent " << o.name << ": " << (o.verb == "remove" ? "removed" : "updated")
        << " (reload the daemon to apply)\n";
  }
  return 0;
}

}  // namespace xiaoer::tools

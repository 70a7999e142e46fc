#include "daemon/tools/agent_tool.hpp"

#include <charconv>
#include <optional>
#include <ostream>
#include <utility>

#include "daemon/auth/agent_accounts.hpp"
#include "daemon/auth/secret_hash.hpp"
#include "daemon/store/redis/redis_accounts.hpp"

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

// The accounts of agents file `path`; nullopt with every diagnostic in
// `error` when it has errors.
std::optional<auth::AgentAccounts> read_accounts_file(const std::string& path, std::string* error) {
  auth::LoadedAccounts loaded = auth::load_accounts(path);
  if (common::has_errors(loaded.diagnostics)) {
    *error = common::to_string(loaded.diagnostics);
    return std::nullopt;
  }
  return std::move(loaded.accounts);
}

}  // namespace

AccountsPlace accounts_file(const std::string& path) {
  AccountsPlace place;
  place.name = path;
  place.edit = [path](const std::function<bool(auth::AgentAccounts&)>& change, std::string* error) {
    std::optional<auth::AgentAccounts> accounts = read_accounts_file(path, error);
    if (!accounts) return false;
    return !change(*accounts) || auth::save_accounts(path, *accounts, error);
  };
  return place;
}

AccountsPlace accounts_on_redis(const store::redis::RedisEndpoint& endpoint, const std::string& prefix,
                                const std::string& seed_file) {
  AccountsPlace place;
  place.name = store::redis::accounts_source(prefix);
  place.applied_at_once = true;
  place.edit = [endpoint, prefix, seed_file](const std::function<bool(auth::AgentAccounts&)>& change,
                                             std::string* error) {
    const std::optional<auth::AgentAccounts> seed = read_accounts_file(seed_file, error);
    return seed && store::redis::edit_accounts(endpoint, prefix, *seed, change, error);
  };
  return place;
}

int run_agent(const std::vector<std::string>& args, const AccountsPlace& place, std::ostream& out, std::ostream& err) {
  Options o;
  if (!parse(args, &o, err)) return 2;
  if (o.verb != "list" && !auth::valid_agent_name(o.name)) {
    err << "xiaoerd agent: '" << o.name << "' is not a valid name (1 to 32 of a-z 0-9 _ . -, a letter or digit first)\n";
    return 2;
  }
  if (o.verb != "list" && o.verb != "add" && o.verb != "remove" && o.verb != "reset" && o.verb != "set") {
    err << "xiaoerd agent: unknown command '" << o.verb << "'\n" << kUsage;
    return 2;
  }
  // Run once per attempt (a shared store runs it again when another edit
  // came meanwhile): what it says is from its last run.
  std::string refusal, secret, listing;
  const auto change = [&](auth::AgentAccounts& accounts) {
    refusal.clear();
    secret.clear();
    listing.clear();
    if (o.verb == "list") {
      for (const auto& [name, account] : accounts.by_name) {
        listing += name + (account.supervisor ? "  supervisor" : "  agent") + "  capacity " +
                   std::to_string(account.capacity) + "\n";
      }
      return false;
    }
    const auto existing = accounts.by_name.find(o.name);
    if (o.verb == "add") {
      if (existing != accounts.by_name.end()) {
        refusal = o.name + " exists (use reset for a new secret)";
        return false;
      }
      secret = auth::new_secret();
      auth::AgentAccount account;
      account.secret_hash = auth::hash_secret(secret);
      account.supervisor = o.supervisor.value_or(false);
      account.capacity = o.capacity.value_or(account.capacity);
      accounts.by_name[o.name] = account;
      return true;
    }
    if (existing == accounts.by_name.end()) {
      refusal = "no agent " + o.name + " in " + place.name;
      return false;
    }
    if (o.verb == "remove") {
      accounts.by_name.erase(existing);
    } else if (o.verb == "reset") {
      secret = auth::new_secret();
      existing->second.secret_hash = auth::hash_secret(secret);
    } else {
      if (o.supervisor) existing->second.supervisor = *o.supervisor;
      if (o.capacity) existing->second.capacity = *o.capacity;
    }
    return true;
  };
  std::string error;
  if (!place.edit(change, &error)) {
    err << "xiaoerd agent: " << error << "\n";
    return 1;
  }
  if (!refusal.empty()) {
    err << "xiaoerd agent: " << refusal << "\n";
    return 1;
  }
  out << listing;
  if (o.verb == "list") return 0;
  const std::string applied = place.applied_at_once ? "every daemon on this Redis applies it now" : "reload the daemon to apply";
  if (!secret.empty()) {
    out << "agent " << o.name << ": secret " << secret << "\n"
        << "(shown once; give it to " << o.name << " to log in at /console/; " << applied << ")\n";
  } else {
    out << "agent " << o.name << ": " << (o.verb == "remove" ? "removed" : "updated") << " (" << applied << ")\n";
  }
  return 0;
}

}  // namespace xiaoer::tools

// Secrets of agent accounts and login sessions: made at random, stored only
// as a salted slow hash (PBKDF2-HMAC-SHA256, OpenSSL), compared in constant
// time.
//
// Thread safety: pure functions; call from any thread.
#pragma once

#include <string>
#include <string_view>

namespace xiaoer::auth {

// PBKDF2 rounds of a new hash. Verifying costs about 50 ms on one core: a
// login waits that long, a guesser pays it per guess.
inline constexpr int kHashIterations = 200000;

// `bytes` random bytes from OpenSSL's generator, as lower-case hex.
std::string random_hex(std::size_t bytes);

// A new agent secret: 24 random bytes as 48 hex digits (printed once).
std::string new_secret();

// "pbkdf2-sha256$<iterations>$<salt hex>$<hash hex>" of `secret`.
std::string hash_secret(std::string_view secret, int iterations = kHashIterations);

// Whether `secret` matches `stored` (a hash_secret() value); false for a
// malformed `stored`. Takes as long whatever part of the secret matches.
bool verify_secret(std::string_view secret, std::string_view stored);

// SHA-256 of `text`, hex: how a session token is kept (a memory dump or a
// debug print of the table shows no usable token).
std::string sha256_hex(std::string_view text);

// Constant-time comparison of two equal-length strings; false if they differ
// in length or are empty.
bool same_secret(std::string_view a, std::string_view b);

}  // namespace xiaoer::auth

#include "daemon/auth/secret_hash.hpp"

#include <gtest/gtest.h>

namespace xiaoer::auth {
namespace {

TEST(SecretHash, VerifiesItsOwnSecretOnly) {
  const std::string secret = new_secret();
  EXPECT_EQ(secret.size(), 48u);
  const std::string stored = hash_secret(secret, 1000);
  EXPECT_TRUE(stored.starts_with("pbkdf2-sha256$1000$"));
  EXPECT_EQ(stored.find(secret), std::string::npos);
  EXPECT_TRUE(verify_secret(secret, stored));
  EXPECT_FALSE(verify_secret(secret + "x", stored));
  EXPECT_FALSE(verify_secret("", stored));
}

TEST(SecretHash, SaltMakesEachHashDifferent) {
  EXPECT_NE(hash_secret("same", 1000), hash_secret("same", 1000));
}

TEST(SecretHash, MalformedStoredHashesNeverVerify) {
  for (const char* stored : {"", "pbkdf2-sha256", "pbkdf2-sha256$x$00$00", "md5$1000$00$00",
                             "pbkdf2-sha256$1000$zz$00", "pbkdf2-sha256$0$00$00", "pbkdf2-sha256$1000$00$0011"}) {
    EXPECT_FALSE(verify_secret("secret", stored)) << stored;
  }
}

TEST(SecretHash, SameSecretComparesWholeEqualStrings) {
  EXPECT_TRUE(same_secret("abc", "abc"));
  EXPECT_FALSE(same_secret("abc", "abd"));
  EXPECT_FALSE(same_secret("abc", "ab"));
  EXPECT_FALSE(same_secret("", ""));
}

}  // namespace
}  // namespace xiaoer::auth

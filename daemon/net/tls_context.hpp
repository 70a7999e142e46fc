// TLS contexts: the server's (TLS 1.2 and 1.3 only, the configured
// certificate chain and private key, PEM) and client mode's (TLS 1.2 and
// 1.3, the peer verified against a CA file or the system's trust store).
#pragma once

#include <boost/asio/ssl/context.hpp>

#include <memory>
#include <string>

namespace xiaoer::net {

// Null with `error` naming the file when the certificate or key cannot be
// loaded or do not match.
std::shared_ptr<boost::asio::ssl::context> make_server_tls(const std::string& cert_file, const std::string& key_file,
                                                           std::string* error);

// `ca_file` empty: the system's default trust store. Null with `error`
// naming the file when it cannot be loaded.
std::shared_ptr<boost::asio::ssl::context> make_client_tls(const std::string& ca_file, std::string* error);

}  // namespace xiaoer::net

#include "daemon/net/tls_context.hpp"

#include <openssl/ssl.h>

namespace xiaoer::net {

std::shared_ptr<boost::asio::ssl::context> make_server_tls(const std::string& cert_file, const std::string& key_file,
                                                           std::string* error) {
  namespace ssl = boost::asio::ssl;
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                       ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
  SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION);
  boost::system::error_code ec;
  context->use_certificate_chain_file(cert_file, ec);
  if (ec) {
    *error = cert_file + ": cannot load the TLS certificate chain: " + ec.message();
    return nullptr;
  }
  context->use_private_key_file(key_file, ssl::context::pem, ec);
  if (ec) {
    *error = key_file + ": cannot load the TLS private key: " + ec.message();
    return nullptr;
  }
  if (SSL_CTX_check_private_key(context->native_handle()) != 1) {
    *error = key_file + ": the private key does not match the certificate " + cert_file;
    return nullptr;
  }
  return context;
}

std::shared_ptr<boost::asio::ssl::context> make_client_tls(const std::string& ca_file, std::string* error) {
  namespace ssl = boost::asio::ssl;
  auto context = std::make_shared<ssl::context>(ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION);
  context->set_verify_mode(ssl::verify_peer);
  boost::system::error_code ec;
  if (ca_file.empty()) {
    context->set_default_verify_paths(ec);
  } else {
    context->load_verify_file(ca_file, ec);
  }
  if (ec) {
    *error = (ca_file.empty() ? std::string("the system's trust store") : ca_file) +
             ": cannot load the CA certificates: " + ec.message();
    return nullptr;
  }
  return context;
}

}  // namespace xiaoer::net

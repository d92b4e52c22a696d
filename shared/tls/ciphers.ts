/**
 * The TLS 1.2 cipher suites a Hearth listener offers: ECDHE key exchange (forward secrecy) with
 * an AEAD cipher only — no CBC (Lucky13-style padding oracles), no static RSA key exchange.
 * TLS 1.3 suites are all AEAD and are not affected by this list (OpenSSL/BoringSSL configure
 * them separately). ECDSA and RSA variants, so either kind of certificate works.
 */
export const TLS12_AEAD_CIPHERS = [
  "ECDHE-ECDSA-AES128-GCM-SHA256",
  "ECDHE-RSA-AES128-GCM-SHA256",
  "ECDHE-ECDSA-AES256-GCM-SHA384",
  "ECDHE-RSA-AES256-GCM-SHA384",
  "ECDHE-ECDSA-CHACHA20-POLY1305",
  "ECDHE-RSA-CHACHA20-POLY1305",
].join(":");

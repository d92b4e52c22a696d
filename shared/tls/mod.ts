/**
 * Reading a TLS ClientHello without decrypting: the relay routes by SNI and, when it cannot,
 * answers with a plaintext alert.
 */

export {
  ClientHelloError,
  ClientHelloParser,
  type ClientHelloResult,
  DEFAULT_MAX_HELLO_BYTES,
  DEFAULT_MAX_RECORD_LENGTH,
  DEFAULT_MAX_RECORDS,
  parseClientHello,
  type ParseClientHelloOptions,
} from "./client_hello.ts";
export { AlertDescription, AlertLevel, tlsAlert } from "./alert.ts";

/** OAuth 2.0 / OpenID Connect protocol errors, each carrying its registered error code. */

export type OAuthErrorCode =
  | "invalid_request"
  | "invalid_client"
  | "invalid_grant"
  | "unauthorized_client"
  | "unsupported_grant_type"
  | "unsupported_response_type"
  | "unsupported_token_type"
  | "invalid_scope"
  | "access_denied"
  | "login_required"
  | "consent_required"
  | "request_not_supported"
  | "request_uri_not_supported"
  | "invalid_token"
  | "server_error"
  | "slow_down";

export class OAuthError extends Error {
  override name = "OAuthError";
  readonly code: OAuthErrorCode;
  readonly status: number;

  constructor(code: OAuthErrorCode, description: string, options?: { status?: number; cause?: unknown }) {
    super(description, { cause: options?.cause });
    this.code = code;
    this.status = options?.status ?? (code === "invalid_client" || code === "invalid_token" ? 401 : 400);
  }

  /** The JSON body of RFC 6749 §5.2. */
  toJSON(): { error: string; error_description: string } {
    return { error: this.code, error_description: this.message };
  }
}

/**
 * An OAuth 2.0 token endpoint error (RFC 6749 §5.2): answered as
 * `{"error": "...", "error_description": "..."}`, not as problem+json, because
 * OAuth clients parse this shape.
 */
export class OAuthError extends Error {
  constructor(
    readonly error:
      | 'invalid_request'
      | 'invalid_client'
      | 'invalid_grant'
      | 'unauthorized_client'
      | 'unsupported_grant_type'
      | 'invalid_scope',
    readonly description: string,
    readonly status = error === 'invalid_client' ? 401 : 400,
  ) {
    super(description);
    this.name = 'OAuthError';
  }
}

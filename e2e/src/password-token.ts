/**
 * Signs in with the OAuth 2.0 password grant at `tokenUrl` (the gateway's
 * `/api/auth/token` or registry's `/auth/token`) and returns the access token;
 * throws with the status and body otherwise.
 */
export async function passwordToken(tokenUrl: string, username: string, password: string): Promise<string> {
  const res = await fetch(tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'password', username, password }),
  });
  const text = await res.text();
  if (res.status !== 200)
    throw new Error(`token request to ${tokenUrl} answered ${res.status}: ${text.slice(0, 300)}`);
  const token = (JSON.parse(text) as { access_token?: unknown }).access_token;
  if (typeof token !== 'string') throw new Error(`token response from ${tokenUrl} has no access_token`);
  return token;
}

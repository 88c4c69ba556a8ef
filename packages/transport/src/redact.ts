/**
 * `scheme://` then the user info: a user (anything but `:`, so an unencoded `@` in it is kept
 * with it), `:`, and the password up to the LAST `@` of the URI. Neither may hold whitespace,
 * `;` (kombu's failover separator) or a quote, so the match stays inside one URI of a log line.
 * A password may hold unencoded `@`, `/`, `?`, `#` or `:`; the price is that a URI without a
 * password whose path or query holds an `@` after a `:` is masked more than it needs to be.
 */
const USER_INFO = /([a-z][a-z0-9+.-]*:\/\/[^:/?#;\s"'`<>]*):[^;\s"'`<>]*@/gi;

/** `password=`, `token=`... in a query string (or a `;`-separated parameter list). */
const SECRET_PARAM = /([?&;](?:password|passwd|pass|pwd|secret|token|auth|access_token|api_key|apikey)=)[^&;#\s"'`<>]*/gi;

/**
 * A URI (or a text holding URIs, such as an error message) fit for logs: the password of each
 * `scheme://user:password@host` becomes `***` (also with no user, `redis://:password@host`,
 * and with an unencoded `@` in the password: everything up to the last `@` is masked), and
 * so do `password=`, `token=`-like query values. Each URI of a `;`-separated failover list is
 * masked on its own. The user name is kept: it tells which account was used.
 */
export function redactUri(uri: string): string;
export function redactUri(uri: string | undefined): string | undefined;
export function redactUri(uri: string | undefined): string | undefined {
  if (uri === undefined) return undefined;
  return uri.replace(USER_INFO, '$1:***@').replace(SECRET_PARAM, '$1***');
}

/**
 * URLs with credentials, made safe to print: the password (and only the password) is replaced by
 * `***`, so `redis://lab:s3cret@host:6379/0` prints as `redis://lab:***@host:6379/0`. Every message,
 * log line and error that names a Redis (or any) URL goes through here.
 */

/**
 * `url` without its password. Works on strings that are not valid URLs too, with or without a
 * scheme (the part before the authority's last `@` loses everything after its first `:`).
 * @example redactUrl('rediss://:pw@h:6380') === 'rediss://:***@h:6380'
 */
export function redactUrl(url: string): string {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)?([^/?#]*)@(.*)$/is.exec(url);
  if (!m) return url;
  const [, scheme = '', userinfo = '', rest = ''] = m;
  const colon = userinfo.indexOf(':');
  if (colon < 0) return url;
  return `${scheme}${userinfo.slice(0, colon)}:***@${rest}`;
}

/**
 * `text` with every occurrence of `secret` (and of its URL-encoded form) replaced by `***`: the
 * last line of defence for messages that come from a library and might quote what they were given.
 */
export function scrubSecret(text: string, secret: string | undefined): string {
  if (!secret) return text;
  let out = text.split(secret).join('***');
  const encoded = encodeURIComponent(secret);
  if (encoded !== secret) out = out.split(encoded).join('***');
  return out;
}

/** Slack's limit on a button's `url`, in characters. */
const URL_MAX = 3000;

/**
 * `href` as an absolute http(s) URL, normalised (spaces and other unsafe characters percent-encoded),
 * or undefined when it is not one: relative (`/d/...`), empty, another scheme, or longer than Slack
 * takes. Slack refuses a whole message whose button has such a url (`invalid_blocks`).
 */
export function webLink(href: string): string | undefined {
  let url: URL;
  try {
    url = new URL(href.trim());
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  return url.href.length > URL_MAX ? undefined : url.href;
}

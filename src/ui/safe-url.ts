/**
 * Links from database text (a medium's recipe PDF) may come from an imported snapshot: only
 * http(s) URLs become links, so a `javascript:` or `data:` URL there is never made clickable.
 */
export function safeHttpUrl(text: string | null | undefined): string | null {
  if (!text) return null;
  try {
    const url = new URL(text.trim());
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null;
  } catch {
    return null; // not an absolute URL
  }
}

/**
 * Cuts text to at most `max` UTF-16 units, ending in "…" when cut. Services count characters at
 * least as generously as UTF-16 units, so a text that fits here fits there.
 */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, Math.max(0, max - 1));
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut}…`;
}

/** Slack mrkdwn and Google Chat card text read `<` and `&` as markup: `<!channel>` would ping everyone. */
export function escapeMarkup(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Escapes, then truncates without leaving half an entity such as "&am" behind. */
export function escapeAndTruncate(text: string, max: number): string {
  const escaped = escapeMarkup(text);
  if (escaped.length <= max) return escaped;
  return `${truncate(escaped, max).slice(0, -1).replace(/&[a-z]*$/, "")}…`;
}

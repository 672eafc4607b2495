import type { Notice, Severity } from "./notice.js";
import { truncate } from "./text.js";

/** Discord's embed limits; a message over any of them is refused with 400 "Invalid Form Body". */
export const DISCORD_LIMITS = {
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  /** Title, description, field names and values and footer together. */
  total: 6000,
} as const;

/** The share of the total that field values may take between them, so the description always has room. */
const FIELD_VALUES_BUDGET = 3000;
const INLINE_MAX = 40;
const FOOTER = "Glidepath";

export interface DiscordEmbedField {
  name: string;
  value: string;
  inline: boolean;
}

export interface DiscordEmbed {
  title: string;
  description?: string;
  url?: string;
  color: number;
  fields: DiscordEmbedField[];
  timestamp: string;
  footer: { text: string };
}

export interface DiscordPayload {
  username: string;
  /** Release names and reasons are not ours to trust: nothing in them may ping @everyone. */
  allowed_mentions: { parse: [] };
  embeds: [DiscordEmbed];
}

export const DISCORD_COLORS: Record<Severity, number> = {
  info: 0x3b82f6,
  success: 0x22c55e,
  warning: 0xf59e0b,
  danger: 0xef4444,
};

export function discordPayload(notice: Notice): DiscordPayload {
  const shown = notice.fields.slice(0, DISCORD_LIMITS.fields);
  const valueMax = Math.min(DISCORD_LIMITS.fieldValue, Math.floor(FIELD_VALUES_BUDGET / Math.max(1, shown.length)));
  const fields = shown.map(({ label, value }) => ({
    name: truncate(label, DISCORD_LIMITS.fieldName),
    value: truncate(value, valueMax),
    inline: value.length <= INLINE_MAX && !value.includes("\n"),
  }));
  const title = truncate(notice.title, DISCORD_LIMITS.title);
  const used = title.length + FOOTER.length + fields.reduce((sum, field) => sum + field.name.length + field.value.length, 0);
  const description = truncate(notice.text, Math.min(DISCORD_LIMITS.description, DISCORD_LIMITS.total - used));
  const embed: DiscordEmbed = {
    title,
    ...(description && { description }),
    ...(notice.url && { url: notice.url }),
    color: DISCORD_COLORS[notice.severity],
    fields,
    timestamp: new Date(notice.at).toISOString(),
    footer: { text: FOOTER },
  };
  return { username: "Glidepath", allowed_mentions: { parse: [] }, embeds: [embed] };
}

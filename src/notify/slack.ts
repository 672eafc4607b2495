import type { Notice, Severity } from "./notice.js";
import { escapeAndTruncate, escapeMarkup, truncate } from "./text.js";

/** Block Kit limits, from Slack's reference for each block and element. */
export const SLACK_LIMITS = {
  headerText: 150,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  buttonUrl: 3000,
  /** Slack cuts a message's text beyond 40,000 characters; a notification preview needs far less. */
  fallbackText: 4000,
} as const;

type PlainText = { type: "plain_text"; text: string; emoji?: boolean };
type Mrkdwn = { type: "mrkdwn"; text: string };

export type SlackBlock =
  | { type: "header"; text: PlainText }
  | { type: "section"; text: Mrkdwn }
  | { type: "section"; fields: Mrkdwn[] }
  | { type: "context"; elements: Mrkdwn[] }
  | { type: "actions"; elements: { type: "button"; text: PlainText; url: string; action_id: string }[] };

/** What a Slack incoming webhook accepts: `text` is what notifications and screen readers show. */
export interface SlackPayload {
  text: string;
  blocks: SlackBlock[];
}

const EMOJI: Record<Severity, string> = {
  info: ":large_blue_circle:",
  success: ":white_check_mark:",
  warning: ":warning:",
  danger: ":rotating_light:",
};

export function slackPayload(notice: Notice): SlackPayload {
  const blocks: SlackBlock[] = [
    { type: "header", text: { type: "plain_text", text: truncate(`${EMOJI[notice.severity]} ${notice.title}`, SLACK_LIMITS.headerText), emoji: true } },
    { type: "section", text: { type: "mrkdwn", text: escapeAndTruncate(notice.text, SLACK_LIMITS.sectionText) } },
  ];
  if (notice.fields.length > 0) {
    const fields = notice.fields.slice(0, SLACK_LIMITS.sectionFields).map(({ label, value }): Mrkdwn => {
      const heading = `*${escapeMarkup(label)}*\n`;
      return { type: "mrkdwn", text: heading + escapeAndTruncate(value, SLACK_LIMITS.fieldText - heading.length) };
    });
    blocks.push({ type: "section", fields });
  }
  blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: `Glidepath · ${slackDate(notice.at)}` }] });
  if (notice.url && notice.url.length <= SLACK_LIMITS.buttonUrl) {
    blocks.push({
      type: "actions",
      elements: [{ type: "button", text: { type: "plain_text", text: "Open release" }, url: notice.url, action_id: "open_release" }],
    });
  }
  return { text: escapeAndTruncate(`${notice.title}\n${notice.text}`, SLACK_LIMITS.fallbackText), blocks };
}

/** Slack shows the time in each reader's own time zone; the ISO text is for clients that cannot. */
function slackDate(at: number): string {
  return `<!date^${Math.floor(at / 1000)}^{date_short_pretty} {time}|${new Date(at).toISOString()}>`;
}

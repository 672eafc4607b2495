import type { Notice, Severity } from "./notice.js";
import { escapeAndTruncate, truncate } from "./text.js";

/** Google Chat refuses a message, text and cards together, over 32,000 bytes. */
export const GOOGLE_CHAT_MAX_BYTES = 32_000;
const HEADER_MAX = 200;
const PARAGRAPH_MAX = 4000;
const FIELD_MAX = 1000;

type Widget =
  | { textParagraph: { text: string } }
  | { decoratedText: { topLabel: string; text: string; wrapText: true } }
  | { buttonList: { buttons: { text: string; onClick: { openLink: { url: string } } }[] } };

export interface GoogleChatPayload {
  /** Shown above the card and in notifications. */
  text: string;
  cardsV2: [{ cardId: string; card: { header: { title: string; subtitle: string }; sections: { widgets: Widget[] }[] } }];
}

const EMOJI: Record<Severity, string> = { info: "🔵", success: "✅", warning: "⚠️", danger: "🚨" };

/**
 * A card with the text, a row per field and a button to the release. Should the text be so long
 * (or so full of multi-byte characters) that the message would pass Google Chat's byte limit, it
 * is built again with the text cut shorter.
 */
export function googleChatPayload(notice: Notice): GoogleChatPayload {
  for (let textMax = PARAGRAPH_MAX; ; textMax = Math.floor(textMax / 2)) {
    const payload = build(notice, textMax);
    if (Buffer.byteLength(JSON.stringify(payload)) <= GOOGLE_CHAT_MAX_BYTES || textMax < 100) return payload;
  }
}

function build(notice: Notice, textMax: number): GoogleChatPayload {
  const title = truncate(`${EMOJI[notice.severity]} ${notice.title}`, HEADER_MAX);
  const sections: { widgets: Widget[] }[] = [{ widgets: [{ textParagraph: { text: cardText(notice.text, textMax) } }] }];
  if (notice.fields.length > 0) {
    const fieldMax = Math.min(FIELD_MAX, textMax);
    sections.push({
      widgets: notice.fields.map(({ label, value }) => ({
        decoratedText: { topLabel: truncate(label, HEADER_MAX), text: cardText(value, fieldMax), wrapText: true },
      })),
    });
  }
  if (notice.url) {
    sections.push({ widgets: [{ buttonList: { buttons: [{ text: "Open release", onClick: { openLink: { url: notice.url } } }] } }] });
  }
  return {
    // Chat reads <users/all> in message text as a mention of everyone; a release name must not ping anyone.
    text: title.replace(/[<>]/g, ""),
    cardsV2: [
      {
        cardId: `glidepath-${notice.kind}`,
        card: { header: { title, subtitle: `Glidepath · ${new Date(notice.at).toISOString()}` }, sections },
      },
    ],
  };
}

/** Card text is a small HTML: escaped, with line breaks as <br>. */
function cardText(text: string, max: number): string {
  return escapeAndTruncate(text, max).replace(/\n/g, "<br>");
}

import { describe, expect, it } from "vitest";
import { GOOGLE_CHAT_MAX_BYTES, googleChatPayload } from "./google-chat.js";
import { noticeFor, type Notice } from "./notice.js";
import { rolledBackAtStage2 } from "./release-run.test-support.js";

const URL = "https://glidepath.example/releases/rel_1";

function rollbackNotice(): Notice {
  const run = rolledBackAtStage2();
  return noticeFor(run.release, run.last("rolled_back"), { releaseUrl: URL })!;
}

describe("googleChatPayload", () => {
  it("sends a cards v2 card with a header, the text, a row per field and a button, plus a text line", () => {
    const notice = rollbackNotice();
    const payload = googleChatPayload(notice);

    expect(payload.text).toBe("🚨 checkout: v2 rolled back at stage 2 (25%)");
    expect(payload.cardsV2).toHaveLength(1);
    const [{ cardId, card }] = payload.cardsV2;
    expect(cardId).toBe("glidepath-rolled_back");
    expect(card.header).toEqual({ title: "🚨 checkout: v2 rolled back at stage 2 (25%)", subtitle: `Glidepath · ${new Date(notice.at).toISOString()}` });
    const [text, fields, button] = card.sections;
    expect(text!.widgets).toEqual([{ textParagraph: { text: expect.stringMatching(/^v1 serves 100% again\. Reason: SLO failed a check: error_rate &lt;= 0\.01/) } }]);
    expect(fields!.widgets).toContainEqual({ decoratedText: { topLabel: "Stage", text: "2/4 (25%)", wrapText: true } });
    expect(fields!.widgets).toContainEqual({
      decoratedText: {
        topLabel: "Failing SLOs",
        text: "error_rate &lt;= 0.01: v2 0.152 (v1 0.001)<br>latency_p99 &lt;= 1.5 x stable: v2 240 (v1 120)",
        wrapText: true,
      },
    });
    expect(button!.widgets).toEqual([{ buttonList: { buttons: [{ text: "Open release", onClick: { openLink: { url: URL } } }] } }]);
  });

  it("keeps a release name from mentioning everyone in the message text", () => {
    expect(googleChatPayload({ ...rollbackNotice(), title: "<users/all> checkout" }).text).toBe("🚨 users/all checkout");
  });

  it("stays under Google Chat's 32,000 bytes with a 10,000-character reason in multi-byte characters", () => {
    for (const reason of ["x".repeat(10_000), "🚨".repeat(10_000), "&".repeat(10_000)]) {
      const notice: Notice = {
        ...rollbackNotice(),
        text: reason,
        fields: Array.from({ length: 10 }, (_, i) => ({ label: `field ${i}`, value: reason })),
      };
      const payload = googleChatPayload(notice);
      expect(Buffer.byteLength(JSON.stringify(payload))).toBeLessThanOrEqual(GOOGLE_CHAT_MAX_BYTES);
      expect(payload.cardsV2[0].card.sections[0]!.widgets[0]).toEqual({ textParagraph: { text: expect.stringMatching(/…$/) } });
    }
  });
});

import { describe, expect, it } from "vitest";
import { noticeFor, type Notice, type NoticeLinks } from "./notice.js";
import { rolledBackAtStage2 } from "./release-run.test-support.js";
import { SLACK_LIMITS, slackPayload, type SlackBlock } from "./slack.js";

const URL = "https://glidepath.example/releases/rel_1";

function rollbackNotice(links: NoticeLinks = { releaseUrl: URL }): Notice {
  const run = rolledBackAtStage2();
  return noticeFor(run.release, run.last("rolled_back"), links)!;
}

function blockOf<T extends SlackBlock["type"]>(blocks: SlackBlock[], type: T): Extract<SlackBlock, { type: T }>[] {
  return blocks.filter((block): block is Extract<SlackBlock, { type: T }> => block.type === type);
}

function textSection(blocks: SlackBlock[]): string {
  const block = blocks.find((candidate) => candidate.type === "section" && "text" in candidate);
  return block && "text" in block ? block.text.text : "";
}

function fieldTexts(blocks: SlackBlock[]): string[] {
  const block = blocks.find((candidate) => candidate.type === "section" && "fields" in candidate);
  return block && "fields" in block ? block.fields.map((field) => field.text) : [];
}

describe("slackPayload", () => {
  it("builds a header, the text, the fields, a dated context and a button, with a plain fallback", () => {
    const notice = rollbackNotice();
    const { text, blocks } = slackPayload(notice);

    expect(blocks.map((block) => block.type)).toEqual(["header", "section", "section", "context", "actions"]);
    expect(blockOf(blocks, "header")[0]!.text).toEqual({ type: "plain_text", text: ":rotating_light: checkout: v2 rolled back at stage 2 (25%)", emoji: true });
    expect(blocks[1]).toEqual({ type: "section", text: { type: "mrkdwn", text: expect.stringMatching(/^v1 serves 100% again\. Reason: SLO failed a check: error_rate &lt;= 0\.01/) } });
    expect(blocks[2]).toMatchObject({ type: "section", fields: expect.arrayContaining([{ type: "mrkdwn", text: "*Stage*\n2/4 (25%)" }]) });
    expect(fieldTexts(blocks)).toContain(
      "*Failing SLOs*\nerror_rate &lt;= 0.01: v2 0.152 (v1 0.001)\nlatency_p99 &lt;= 1.5 x stable: v2 240 (v1 120)",
    );
    expect(blockOf(blocks, "context")[0]!.elements[0]!.text).toBe(
      `Glidepath · <!date^${Math.floor(notice.at / 1000)}^{date_short_pretty} {time}|${new Date(notice.at).toISOString()}>`,
    );
    expect(blockOf(blocks, "actions")[0]!.elements).toEqual([
      { type: "button", text: { type: "plain_text", text: "Open release" }, url: URL, action_id: "open_release" },
    ]);
    expect(text).toBe(`${notice.title}\n${notice.text.replace(/</g, "&lt;")}`);
  });

  it("leaves the button out when there is no release page", () => {
    expect(slackPayload(rollbackNotice({})).blocks.map((block) => block.type)).not.toContain("actions");
  });

  it("escapes markup so a release name cannot ping the channel", () => {
    const notice = { ...rollbackNotice(), text: "<!channel> & friends" };
    expect(textSection(slackPayload(notice).blocks)).toBe("&lt;!channel&gt; &amp; friends");
  });

  it("keeps every text within Block Kit's limits", () => {
    const notice: Notice = {
      ...rollbackNotice(),
      title: "t".repeat(500),
      text: "&".repeat(10_000),
      fields: Array.from({ length: 14 }, (_, i) => ({ label: `field ${i}`, value: "v".repeat(5000) })),
    };
    const { text, blocks } = slackPayload(notice);

    expect(blockOf(blocks, "header")[0]!.text.text).toHaveLength(SLACK_LIMITS.headerText);
    expect(textSection(blocks).length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    expect(textSection(blocks)).toMatch(/^(&amp;)+…$/);
    expect(fieldTexts(blocks)).toHaveLength(SLACK_LIMITS.sectionFields);
    for (const field of fieldTexts(blocks)) expect(field.length).toBeLessThanOrEqual(SLACK_LIMITS.fieldText);
    expect(text.length).toBeLessThanOrEqual(SLACK_LIMITS.fallbackText);
  });
});

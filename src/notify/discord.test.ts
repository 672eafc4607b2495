import { describe, expect, it } from "vitest";
import { DISCORD_COLORS, DISCORD_LIMITS, discordPayload, type DiscordEmbed } from "./discord.js";
import { noticeFor, type Notice, type Severity } from "./notice.js";
import { ReleaseRun, rolledBackAtStage2 } from "./release-run.test-support.js";

const URL = "https://glidepath.example/releases/rel_1";

function embedLength(embed: DiscordEmbed): number {
  const fields = embed.fields.reduce((sum, field) => sum + field.name.length + field.value.length, 0);
  return embed.title.length + (embed.description?.length ?? 0) + fields + embed.footer.text.length;
}

describe("discordPayload", () => {
  it("sends one embed with title, description, link, color, fields and the event's time, and pings nobody", () => {
    const run = rolledBackAtStage2();
    const notice = noticeFor(run.release, run.last("rolled_back"), { releaseUrl: URL })!;
    const payload = discordPayload(notice);

    expect(payload.username).toBe("Glidepath");
    expect(payload.allowed_mentions).toEqual({ parse: [] });
    expect(payload.embeds).toHaveLength(1);
    const [embed] = payload.embeds;
    expect(embed).toMatchObject({
      title: "checkout: v2 rolled back at stage 2 (25%)",
      description: notice.text,
      url: URL,
      color: 0xef4444,
      timestamp: new Date(run.now).toISOString(),
      footer: { text: "Glidepath" },
    });
    expect(embed.fields).toContainEqual({ name: "Stage", value: "2/4 (25%)", inline: true });
    expect(embed.fields).toContainEqual({
      name: "Failing SLOs",
      value: "error_rate <= 0.01: v2 0.152 (v1 0.001)\nlatency_p99 <= 1.5 x stable: v2 240 (v1 120)",
      inline: false,
    });
  });

  it("colors the embed by severity, as an integer", () => {
    const notice = noticeFor(new ReleaseRun().release, { type: "release_created", stable: "v1", candidate: "v2", plan: "standard", at: 0, actor: "ada" })!;
    const colors = (["info", "success", "warning", "danger"] as Severity[]).map((severity) => discordPayload({ ...notice, severity }).embeds[0].color);
    expect(colors).toEqual([DISCORD_COLORS.info, DISCORD_COLORS.success, DISCORD_COLORS.warning, DISCORD_COLORS.danger]);
    expect(new Set(colors).size).toBe(4);
    for (const color of colors) expect(Number.isInteger(color) && color >= 0 && color <= 0xffffff).toBe(true);
  });

  it("truncates a 10,000-character reason to fit Discord's limits", () => {
    const run = new ReleaseRun();
    run.send({ type: "preflight_skipped" });
    run.send({ type: "rollback_now", reason: "x".repeat(10_000), actor: "ada" });
    const [embed] = discordPayload(noticeFor(run.release, run.last("rolled_back"))!).embeds;

    expect(embed.description!.length).toBeLessThanOrEqual(DISCORD_LIMITS.description);
    expect(embed.description).toMatch(/^v1 serves 100% again\. Reason: x+…$/);
    expect(embedLength(embed)).toBeLessThanOrEqual(DISCORD_LIMITS.total);
  });

  it("keeps to 25 fields of 1024 characters and 6000 in all, however much a notice carries", () => {
    const notice: Notice = {
      kind: "rolled_back",
      title: "t".repeat(1000),
      text: "d".repeat(10_000),
      fields: Array.from({ length: 40 }, (_, i) => ({ label: `field ${i}`, value: "v".repeat(5000) })),
      severity: "danger",
      at: 0,
    };
    const [embed] = discordPayload(notice).embeds;

    expect(embed.title).toHaveLength(DISCORD_LIMITS.title);
    expect(embed.fields).toHaveLength(DISCORD_LIMITS.fields);
    for (const field of embed.fields) expect(field.value.length).toBeLessThanOrEqual(DISCORD_LIMITS.fieldValue);
    expect(embedLength(embed)).toBeLessThanOrEqual(DISCORD_LIMITS.total);
    expect(embed.description!.length).toBeGreaterThan(0);
  });
});

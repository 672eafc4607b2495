import { describe, expect, it } from "vitest";
import { noticeFor, testNotice } from "./notice.js";
import { rolledBackAtStage2, T0 } from "./release-run.test-support.js";
import { webhookPayload } from "./webhook.js";

describe("webhookPayload", () => {
  it("carries the kind, the release, the event as recorded, the notice and when it was sent", () => {
    const run = rolledBackAtStage2();
    const event = run.last("rolled_back");
    const notice = noticeFor(run.release, event)!;
    const payload = webhookPayload(notice, { release: run.release, event }, run.now + 5);

    expect(payload).toEqual({
      kind: "rolled_back",
      release: { id: "rel_1", name: "checkout", plan: "standard", stable: "v1", candidate: "v2", state: "rolled_back", stageIndex: 1, stageCount: 4 },
      event,
      notice,
      sentAt: run.now + 5,
    });
    expect(JSON.parse(JSON.stringify(payload)).event.check.results[0].candidate).toBe(0.152);
  });

  it("has no release or event for a test notification", () => {
    expect(webhookPayload(testNotice(T0), null, T0)).toMatchObject({ kind: "test", release: null, event: null, sentAt: T0 });
  });
});

import { describe, expect, it } from "vitest";
import type { ReleaseEventDraft } from "../core/events.js";
import { NOTICE_KINDS, noticeFor, type Notice, type NoticeKind } from "./notice.js";
import { HEALTHY, ReleaseRun, rolledBackAtStage2, T0 } from "./release-run.test-support.js";

function notices(run: ReleaseRun): Notice[] {
  return run.events.map((event) => noticeFor(run.release, event)).filter((notice) => notice !== null);
}

function field(notice: Notice | null, label: string): string | undefined {
  return notice?.fields.find((candidate) => candidate.label === label)?.value;
}

describe("noticeFor", () => {
  it("names the failing SLOs of a rollback with both versions' numbers", () => {
    const run = rolledBackAtStage2();
    const notice = noticeFor(run.release, run.last("rolled_back"), { releaseUrl: "https://glidepath.example/releases/rel_1" });

    expect(notice).toMatchObject({
      kind: "rolled_back",
      title: "checkout: v2 rolled back at stage 2 (25%)",
      severity: "danger",
      url: "https://glidepath.example/releases/rel_1",
      at: run.now,
    });
    expect(notice!.text).toMatch(/^v1 serves 100% again\. Reason: SLO failed a check: /);
    expect(field(notice, "Failing SLOs")?.split("\n")).toEqual([
      "error_rate <= 0.01: v2 0.152 (v1 0.001)",
      "latency_p99 <= 1.5 x stable: v2 240 (v1 120)",
    ]);
    expect(field(notice, "Stage")).toBe("2/4 (25%)");
    expect(field(notice, "Stable")).toBe("v1");
    expect(field(notice, "Candidate")).toBe("v2");
  });

  it("returns null for checks, applied splits and the first stage, which release_started announces", () => {
    const run = rolledBackAtStage2();
    expect(noticeFor(run.release, run.last("check_completed"))).toBeNull();
    const applied: ReleaseEventDraft = { type: "split_applied", split: [{ version: "v1", percent: 100 }], note: "rollback", at: run.now, actor: "glidepath" };
    expect(noticeFor(run.release, applied)).toBeNull();
    const stages = run.events.filter((event) => event.type === "stage_started");
    expect(stages.map((event) => noticeFor(run.release, event)?.kind ?? null)).toEqual([null, "stage_progressed"]);
  });

  it("follows a release through its stages, the approval and the promotion", () => {
    const run = new ReleaseRun();
    run.send({ type: "preflight_skipped" });
    run.check(HEALTHY());
    run.check(HEALTHY());
    run.check(HEALTHY());
    run.send({ type: "approve", actor: "ada" });

    const sent = notices(run);
    expect(sent.map((notice) => notice.kind)).toEqual(["release_started", "stage_progressed", "stage_progressed", "awaiting_approval", "stage_progressed", "succeeded"]);
    expect(sent.map((notice) => notice.title)).toEqual([
      "checkout: rolling out v2",
      "checkout: v2 at stage 2/4 (25%)",
      "checkout: v2 at stage 3/4 (50%)",
      "checkout: v2 awaits approval at stage 3/4 (50%)",
      "checkout: v2 at stage 4/4 (100%)",
      "checkout: v2 promoted",
    ]);
    expect(sent[0]!.text).toBe("v2 replaces v1 in 4 stages (5% → 25% → 50% → 100%) under plan standard.");
    expect(sent[1]!.text).toBe("25% of traffic goes to v2; it soaks for 1m while its SLOs are checked.");
    expect(field(sent[1]!, "Split")).toBe("v1=75% v2=25%");
    expect(sent[3]).toMatchObject({ severity: "warning", text: "Stage 3 passed its soak and checks. Approve to send 100% to v2, or deny to cancel the release." });
    expect(sent[5]).toMatchObject({ severity: "success", text: "v2 serves 100% of traffic: every stage passed." });
  });

  it("says who cancelled a release, and where", () => {
    const run = new ReleaseRun();
    run.send({ type: "preflight_skipped" });
    run.send({ type: "cancel", reason: "wrong build", actor: "ada" });

    const notice = noticeFor(run.release, run.last("cancelled"));
    expect(notice).toMatchObject({ kind: "cancelled", title: "checkout: release of v2 cancelled at stage 1 (5%)", severity: "warning" });
    expect(notice!.text).toBe("v1 serves 100% again. Reason: wrong build");
    expect(field(notice, "By")).toBe("ada");
  });

  it("reports a split changed behind Glidepath's back with both splits", () => {
    const run = new ReleaseRun();
    run.send({ type: "preflight_skipped" });
    run.send({ type: "drift", expected: [{ version: "v1", percent: 95 }, { version: "v2", percent: 5 }], actual: [{ version: "v1", percent: 100 }] });

    const notice = noticeFor(run.release, run.last("drift_detected"));
    expect(notice).toMatchObject({ kind: "drift_detected", title: "checkout: split changed outside Glidepath; release paused", severity: "warning" });
    expect(field(notice, "Expected split")).toBe("v1=95% v2=5%");
    expect(field(notice, "Found split")).toBe("v1=100%");
  });

  it("says a release stopped by its preflight moved no traffic", () => {
    const run = new ReleaseRun();
    run.send({ type: "preflight_done", results: [{ url: "http://v2/healthz", expectStatus: 200, status: 503, error: null, durationMs: 4 }] });

    const notice = noticeFor(run.release, run.last("rolled_back"));
    expect(notice!.title).toBe("checkout: v2 rolled back before any traffic moved");
    expect(field(notice, "Stage")).toBeUndefined();
    expect(field(notice, "Failing SLOs")).toBeUndefined();
  });

  it("covers every kind a channel can subscribe to", () => {
    const kinds = new Set<NoticeKind | "test">();
    const created = noticeFor(new ReleaseRun().release, { type: "release_created", stable: "v1", candidate: "v2", plan: "standard", at: T0, actor: "ada" });
    expect(created).toMatchObject({ title: "checkout: release of v2 created", text: "Plan standard will move traffic from v1 to v2 in 4 stages: 5% → 25% → 50% → 100%." });
    kinds.add(created!.kind);

    const failed = new ReleaseRun();
    failed.send({ type: "preflight_skipped" });
    failed.send({ type: "platform_failed", reason: "the Worker was deleted" });
    const cancelled = new ReleaseRun();
    cancelled.send({ type: "preflight_skipped" });
    cancelled.send({ type: "cancel", actor: "ada" });
    const drifted = new ReleaseRun();
    drifted.send({ type: "preflight_skipped" });
    drifted.send({ type: "drift", expected: [{ version: "v1", percent: 95 }, { version: "v2", percent: 5 }], actual: [{ version: "v1", percent: 100 }] });
    const promoted = new ReleaseRun();
    promoted.send({ type: "preflight_skipped" });
    promoted.check(HEALTHY());
    promoted.check(HEALTHY());
    promoted.check(HEALTHY());
    promoted.send({ type: "approve", actor: "ada" });

    for (const run of [rolledBackAtStage2(), failed, cancelled, drifted, promoted]) for (const notice of notices(run)) kinds.add(notice.kind);
    expect([...kinds].sort()).toEqual([...NOTICE_KINDS].sort());
    expect(noticeFor(failed.release, failed.last("failed"))).toMatchObject({ severity: "danger", text: "Glidepath could not finish the release: the Worker was deleted" });
  });
});

import type { ReleaseEventDraft } from "../../core/events.js";
import { desiredSplit, type Release } from "../../core/release.js";
import type { Split } from "../../core/split.js";
import type { Engine } from "../../engine/engine.js";
import type { PlatformConnection } from "../../platforms/types.js";
import type { ReleaseStore } from "../../store/release-store.js";
import { onStopSignal } from "../stop-signal.js";
import { acceptOperatorCommands, type SendCommand } from "./operator-input.js";
import type { RolloutReporter } from "./reporters.js";
import { exitCodeFor, summarize } from "./summary.js";

/** Who drives the release to its end: this process's engine in the foreground, or a server's scheduler, woken after each command. */
export type ReleaseDriver = { kind: "foreground" } | { kind: "scheduler"; nudge(): void };

export interface FollowRequest {
  engine: Engine;
  store: ReleaseStore;
  reporter: RolloutReporter;
  driver: ReleaseDriver;
  /** Makes the release, or finds the one to resume; what happens to it meanwhile is reported once it returns. */
  open(): Promise<{ release: Release; resumed: boolean }>;
  /** The platform the release runs on, to read the split it serves at the end. */
  platform(release: Release): PlatformConnection;
}

/**
 * Reports one release as it happens until it has ended and its final split is in place, then its
 * summary, and returns the exit code. The first SIGINT or SIGTERM cancels the release (the split
 * goes back to 100% stable); a person at the terminal may approve, pause and so on.
 */
export async function followRelease(request: FollowRequest): Promise<number> {
  const { engine, store, reporter, driver } = request;
  // Events can come before open() returns the release's id; they wait for it, in order.
  let opened!: (releaseId: string) => void;
  const openedId = new Promise<string>((resolve) => (opened = resolve));
  let reported = Promise.resolve();
  const onEvent = (releaseId: string, event: ReleaseEventDraft) => {
    // Reported one after another, in the order they happened, each with the release as it now is.
    reported = reported.then(async () => {
      if (releaseId !== (await openedId)) return;
      const latest = await store.get(releaseId);
      if (latest) reporter.event(latest.release, event);
    });
  };
  let settle!: (release: Release) => void;
  const settled = new Promise<Release>((resolve) => (settle = resolve));
  const onSettled = (releaseId: string, release: Release) =>
    void openedId.then((followed) => {
      if (releaseId === followed) settle(release);
    });
  engine.on("event", onEvent);
  engine.on("settled", onSettled);
  try {
    const { release, resumed } = await request.open();
    reporter.begin(release, resumed);
    opened(release.id);

    const send: SendCommand = async (command, actor) => {
      const result = await engine.command(release.id, command, actor);
      if (driver.kind === "scheduler") driver.nudge();
      return result;
    };
    // A release that is already ending refuses the cancel and finishes on its own.
    const stopSignals = onStopSignal((signal) => void send({ type: "cancel", reason: `cancelled by ${signal}` }, "cli"));
    const stopInput = acceptOperatorCommands(send, (line) => reporter.notice(line));
    let finished: Release;
    try {
      finished = driver.kind === "foreground" ? await engine.run(release.id) : await settled;
    } finally {
      stopSignals();
      stopInput();
    }

    await reported;
    const [events, checks] = await Promise.all([store.events(finished.id), store.checks(finished.id)]);
    reporter.end(summarize(finished, events, checks, await finalSplit(request.platform(finished), finished)));
    return exitCodeFor(finished.state);
  } finally {
    engine.off("event", onEvent);
    engine.off("settled", onSettled);
  }
}

/** The split the platform serves at the end, as read back from it. */
async function finalSplit(platform: PlatformConnection, release: Release): Promise<Split> {
  try {
    return await platform.target.currentSplit();
  } catch {
    return release.appliedSplit ?? desiredSplit(release);
  }
}

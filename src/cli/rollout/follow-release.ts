import type { ReleaseEventDraft } from "../../core/events.js";
import { desiredSplit, type Release } from "../../core/release.js";
import { formatSplit, type Split } from "../../core/split.js";
import type { Engine } from "../../engine/engine.js";
import type { PlatformConnection } from "../../platforms/types.js";
import type { ReleaseStore } from "../../store/release-store.js";
import { ExitCode } from "../exit-codes.js";
import { carryOnWhenStdoutCloses } from "./closed-output.js";
import { acceptOperatorCommands, type SendCommand } from "./operator-input.js";
import type { RolloutReporter } from "./reporters.js";
import { exitCodeFor, summarize } from "./summary.js";
import { guardTraffic } from "./traffic-guard.js";

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
 * summary, and returns the exit code. A stop signal, a crash or an error of the driver cancels the
 * release first (the split goes back to 100% stable; see guardTraffic), and a crash exits 1; a
 * closed standard output stops the output, not the release. A person at the terminal may
 * approve, pause and so on.
 */
export async function followRelease(request: FollowRequest): Promise<number> {
  const { engine, store, reporter, driver } = request;
  carryOnWhenStdoutCloses((line) => reporter.warning(line));
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
    const drive = () => (driver.kind === "foreground" ? engine.run(release.id) : settled);
    // A release that is already ending refuses the cancel and finishes on its own.
    const cancel = async (reason: string) => {
      await send({ type: "cancel", reason }, "cli");
    };
    const guard = guardTraffic(release, cancel, (line) => reporter.warning(line));
    const stopInput = acceptOperatorCommands(send, reporter);
    let finished: Release;
    try {
      finished = await drive().catch(async (error: unknown) => {
        await guard.fail(error);
        return drive();
      });
    } catch (error) {
      reporter.warning(`could not put 100% of traffic back on ${release.stable}; rerun the same command to resume release ${release.name} and finish it`);
      throw error;
    } finally {
      guard.stop();
      stopInput();
    }

    await reported;
    const [events, checks] = await Promise.all([store.events(finished.id), store.checks(finished.id)]);
    const split = await finalSplit(request.platform(finished), finished);
    reporter.end(summarize(finished, events, checks, split));
    const stoppedBy = guard.stoppedBy;
    if (!stoppedBy) return exitCodeFor(finished.state);
    reporter.warning(`release ${finished.name} ended ${finished.state.replace("_", " ")}; the split is ${formatSplit(split)}`);
    return stoppedBy.kind === "crash" ? ExitCode.internalError : exitCodeFor(finished.state);
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

import type { Plan } from "../../core/plan.js";
import { desiredSplit, type Release, type TargetRef } from "../../core/release.js";
import type { Split } from "../../core/split.js";
import { systemClock } from "../../support/clock.js";
import { Engine, ReleaseRefused } from "../../engine/engine.js";
import { connectPlatform, type PlatformSecrets } from "../../platforms/registry.js";
import type { PlatformConnection } from "../../platforms/types.js";
import { openEmbeddedDatabase } from "../../store/database.js";
import { ReleaseStore } from "../../store/release-store.js";
import { UsageError } from "../exit-codes.js";
import { onStopSignal } from "../stop-signal.js";
import { acceptOperatorCommands } from "./operator-input.js";
import { createReporter } from "./reporters.js";
import { exitCodeFor, summarize } from "./summary.js";

export interface RolloutRequest {
  target: TargetRef;
  secrets: PlatformSecrets;
  /** The version serving traffic now; when absent, the one the platform serves at 100%. */
  stable?: string;
  candidate: string;
  plan: Plan;
  name: string;
  /** Take over a split between the stable and candidate versions that is already live. */
  adopt?: boolean;
  /** Where the embedded database lives; in memory when absent (nothing to resume). */
  dataDir?: string;
  output: "json" | "tty" | "plain";
}

/**
 * Runs one release in the foreground and returns the exit code. With the same data directory and
 * name, a rerun after a crash resumes the unfinished release instead of starting over. SIGINT or
 * SIGTERM cancels: the split goes back to 100% stable.
 */
export async function runRollout(request: RolloutRequest): Promise<number> {
  const database = await openEmbeddedDatabase(request.dataDir);
  try {
    const store = new ReleaseStore(database.db);
    const platform = connectPlatform(request.target, request.secrets);
    const engine = new Engine({ store, clock: systemClock, connect: () => platform });
    const reporter = createReporter(request.output, systemClock.now);

    const unfinished = await store.findUnfinished(request.name);
    const release = unfinished
      ? resumable(unfinished.release, request)
      : await createOrExplain(engine, request);
    reporter.begin(release, unfinished !== undefined);

    // Reported one after another, in the order they happened, each with the release as it now is.
    let reported = Promise.resolve();
    engine.on("event", (releaseId, event) => {
      reported = reported.then(async () => {
        const latest = await store.get(releaseId);
        if (latest) reporter.event(latest.release, event);
      });
    });
    engine.on("retry", (_, message, delayMs) => reporter.retry(message, delayMs));

    const stopSignals = cancelOnSignals(engine, release.id);
    const stopInput = acceptOperatorCommands(engine, release.id, (line) => reporter.notice(line));
    let finished: Release;
    try {
      finished = await engine.run(release.id);
    } finally {
      stopSignals();
      stopInput();
    }

    await reported;
    const [events, checks] = await Promise.all([store.events(finished.id), store.checks(finished.id)]);
    reporter.end(summarize(finished, events, checks, await finalSplit(platform, finished)));
    return exitCodeFor(finished.state);
  } finally {
    await database.close();
  }
}

async function createOrExplain(engine: Engine, request: RolloutRequest): Promise<Release> {
  try {
    return await engine.create(
      { name: request.name, target: request.target, stable: request.stable, candidate: request.candidate, plan: request.plan, autoStart: true },
      { adopt: request.adopt },
    );
  } catch (error) {
    if (error instanceof ReleaseRefused) throw new UsageError(error.message);
    throw error;
  }
}

/** An unfinished release may be resumed only by the command that started it. */
function resumable(release: Release, request: RolloutRequest): Release {
  const same =
    (request.stable === undefined || release.stable === request.stable) &&
    release.candidate === request.candidate &&
    sameTarget(release.target, request.target);
  if (!same) {
    throw new UsageError(
      `release "${release.name}" is unfinished and moves ${release.stable} -> ${release.candidate}; ` +
        "rerun with the same versions and target to resume it, or choose another --name",
    );
  }
  return release;
}

function sameTarget(a: TargetRef, b: TargetRef): boolean {
  const keys = new Set([...Object.keys(a.config), ...Object.keys(b.config)]);
  return a.platform === b.platform && [...keys].every((key) => a.config[key] === b.config[key]);
}

/** The split the platform serves at the end, as read back from it. */
async function finalSplit(platform: PlatformConnection, release: Release): Promise<Split> {
  try {
    return await platform.target.currentSplit();
  } catch {
    return release.appliedSplit ?? desiredSplit(release);
  }
}

/** The first SIGINT or SIGTERM cancels the release; a second one ends the process at once. */
function cancelOnSignals(engine: Engine, releaseId: string): () => void {
  return onStopSignal((signal) => {
    // A release that is already ending refuses the cancel and finishes on its own.
    void engine.command(releaseId, { type: "cancel", reason: `cancelled by ${signal}` }, "cli");
  });
}

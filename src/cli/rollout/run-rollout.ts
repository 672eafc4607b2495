import type { Plan } from "../../core/plan.js";
import { isSettled, type Release, type TargetRef } from "../../core/release.js";
import { systemClock } from "../../support/clock.js";
import { Engine, ReleaseRefused } from "../../engine/engine.js";
import { connectPlatform, type PlatformSecrets } from "../../platforms/registry.js";
import { PlatformError } from "../../platforms/types.js";
import { openDatabase } from "../../store/database.js";
import { ReleaseStore } from "../../store/release-store.js";
import { UsageError } from "../exit-codes.js";
import { reportFinished, supersededText } from "./finished-release.js";
import { followRelease } from "./follow-release.js";
import { createReporter } from "./reporters.js";

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
 * name, a rerun after a crash resumes the unfinished release instead of starting over, and a rerun
 * after the release ended reports how it ended instead of starting another; other versions under
 * a finished release's name make a new release. A stop signal or a crash cancels first: the split
 * goes back to 100% stable (see followRelease).
 */
export async function runRollout(request: RolloutRequest): Promise<number> {
  const database = await openDatabase({ dataDir: request.dataDir });
  // The data directory is the user's to fix: a file, or in use by another rollout.
  if (database instanceof Error) throw new UsageError(database.message);
  try {
    const store = new ReleaseStore(database.db);
    const platform = connectPlatform(request.target, request.secrets);
    const engine = new Engine({ store, clock: systemClock, connect: () => platform });
    const reporter = createReporter(request.output, systemClock.now);
    engine.on("retry", (_, message, delayMs) => reporter.retry(message, delayMs));
    const latest = (await store.findLatest(request.name))?.release;
    const finished = latest && isSettled(latest) ? latest : undefined;
    if (finished && sameRelease(finished, request)) return await reportFinished(store, reporter, finished, systemClock.now());
    return await followRelease({
      engine,
      store,
      reporter,
      driver: { kind: "foreground" },
      platform: () => platform,
      open: async () => {
        if (latest && !finished) return { release: resumable(latest, request), resumed: true };
        if (finished) reporter.notice(supersededText(finished, systemClock.now()));
        return { release: await createOrExplain(engine, request), resumed: false };
      },
    });
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
    // Nothing has moved yet: a platform that cannot be reached or refuses is the user's to fix.
    if (error instanceof ReleaseRefused || error instanceof PlatformError) throw new UsageError(error.message);
    throw error;
  }
}

/** An unfinished release may be resumed only by the command that started it. */
function resumable(release: Release, request: RolloutRequest): Release {
  if (!sameRelease(release, request)) {
    throw new UsageError(
      `release "${release.name}" is unfinished and moves ${release.stable} -> ${release.candidate}; ` +
        "rerun with the same versions and target to resume it, or choose another --name",
    );
  }
  return release;
}

/** Whether the request names the release's versions and target; its name is the same already. */
function sameRelease(release: Release, request: RolloutRequest): boolean {
  return (
    (request.stable === undefined || release.stable === request.stable) &&
    release.candidate === request.candidate &&
    sameTarget(release.target, request.target)
  );
}

function sameTarget(a: TargetRef, b: TargetRef): boolean {
  const keys = new Set([...Object.keys(a.config), ...Object.keys(b.config)]);
  return a.platform === b.platform && [...keys].every((key) => a.config[key] === b.config[key]);
}

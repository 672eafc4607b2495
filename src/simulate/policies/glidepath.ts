import { checkWindow, createRelease, desiredCandidatePercent, isTerminal, type Release } from "../../core/release.js";
import { step, type Input } from "../../core/step.js";
import { CANDIDATE, STABLE } from "../traffic.js";
import type { PolicyDriver } from "./outcome.js";

const ACTOR = "glidepath simulate";

/**
 * Glidepath itself: the real state machine, driven the way src/engine/engine.ts drives it, with
 * the simulated metrics source in place of the platform's. A manual stage is approved at once.
 */
export const runGlidepath: PolicyDriver = (plan, trajectory) => {
  const { horizonMs } = trajectory;
  let release = createRelease(
    { id: "simulated", name: "simulated", target: { platform: "simulated", config: {} }, stable: STABLE, candidate: CANDIDATE, plan },
    0,
  );
  release = advance(release, { type: "preflight_skipped" }, 0);
  while (!isTerminal(release.state)) {
    const now = release.nextRunAt;
    if (now === null || now > horizonMs) return { result: "unfinished", endedAtMs: horizonMs };
    trajectory.advanceTo(now, desiredCandidatePercent(release));
    const window = checkWindow(release, now);
    release = advance(release, { type: "measured", window, ...trajectory.measure(window, now) }, now);
    if (release.state === "awaiting_approval") release = advance(release, { type: "approve", actor: ACTOR }, now);
  }
  return { result: release.state === "succeeded" ? "promoted" : "rolled_back", endedAtMs: release.finishedAt ?? 0 };
};

function advance(release: Release, input: Input, now: number): Release {
  const result = step(release, input, now);
  if (!result.ok) throw new Error(`the state machine refused ${input.type} in the simulation: ${result.error}`);
  return result.release;
}

import { existsSync } from "node:fs";
import * as core from "@actions/core";
import { formatSplit } from "../../src/core/split.js";
import { Engine } from "../../src/engine/engine.js";
import { connectPlatform } from "../../src/platforms/registry.js";
import { openDatabase } from "../../src/store/database.js";
import { ReleaseStore } from "../../src/store/release-store.js";
import { systemClock } from "../../src/support/clock.js";
import type { StandaloneInputs } from "./inputs.js";
import { setOutputs } from "./step-outcome.js";

/**
 * The post step of standalone mode. A main step that ended its release left nothing to do; one
 * stopped midway (the job cancelled, the process killed before it could act) left its release in
 * its data directory, and this cancels it, which puts 100% of the traffic back on the stable
 * version, and waits until the platform serves that.
 */
export async function undoUnfinishedRelease(inputs: StandaloneInputs, { dataDir, name }: { dataDir: string; name: string }): Promise<void> {
  if (!existsSync(dataDir)) return;
  const database = await openDatabase({ dataDir });
  if (database instanceof Error) throw database;
  try {
    const store = new ReleaseStore(database.db);
    const unfinished = (await store.findUnfinished(name))?.release;
    if (!unfinished) {
      core.info(`release ${name} ended in the rollout step; nothing to undo`);
      return;
    }
    core.warning(
      `release ${name} was still ${unfinished.state.replace("_", " ")} when the rollout step stopped; cancelling it, which puts 100% of traffic back on ${unfinished.stable}`,
    );
    const platform = connectPlatform(unfinished.target, { cloudflareApiToken: inputs.cloudflareApiToken });
    const engine = new Engine({ store, clock: systemClock, connect: () => platform });
    engine.on("retry", (_, message, delayMs) => core.info(`${message}; retrying in ${Math.ceil(delayMs / 1000)}s`));
    // A release that had already ended refuses the cancel; running it still puts its final split in place.
    await engine.command(unfinished.id, { type: "cancel", reason: "the job stopped before the release ended" }, "github-action");
    const finished = await engine.run(unfinished.id);
    setOutputs({ releaseId: finished.id, releaseUrl: "", state: finished.state });
    core.info(`release ${name} ended ${finished.state.replace("_", " ")}; the split is ${formatSplit(finished.appliedSplit ?? [])}`);
  } finally {
    await database.close();
  }
}

import * as core from "@actions/core";

/** Set by the main step for the post step, which runs the same entry; GitHub hands the step's saved state back as STATE_* variables. */
const IS_POST = "is-post";
const DATA_DIR = "standalone-data-dir";
const RELEASE_NAME = "standalone-release-name";

/** Whether this run of the entry is the post step; the main step marks itself before anything else. */
export function isPostStep(): boolean {
  if (core.getState(IS_POST) === "true") return true;
  core.saveState(IS_POST, "true");
  return false;
}

/** Where a standalone release lives, for the post step to find it if the main step is stopped before the release ends. */
export function rememberStandaloneRelease(dataDir: string, name: string): void {
  core.saveState(DATA_DIR, dataDir);
  core.saveState(RELEASE_NAME, name);
}

/** The standalone release the main step ran, if it ran one. */
export function rememberedStandaloneRelease(): { dataDir: string; name: string } | undefined {
  const dataDir = core.getState(DATA_DIR);
  const name = core.getState(RELEASE_NAME);
  return dataDir && name ? { dataDir, name } : undefined;
}

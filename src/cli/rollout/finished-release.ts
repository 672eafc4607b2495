import { formatDuration } from "../../core/duration.js";
import { desiredSplit, type Release } from "../../core/release.js";
import type { ReleaseStore } from "../../store/release-store.js";
import type { RolloutReporter } from "./reporters.js";
import { exitCodeFor, summarize } from "./summary.js";

/**
 * Tells what became of a release that has already ended, as its own run ended it (the summary
 * last), and returns its exit code: a rerun of the same command after the release finished, say
 * when the first run was killed between its summary and its exit, starts nothing.
 */
export async function reportFinished(store: ReleaseStore, reporter: RolloutReporter, release: Release, now: number): Promise<number> {
  const [events, checks] = await Promise.all([store.events(release.id), store.checks(release.id)]);
  reporter.notice(
    `release ${release.name} (${release.stable} -> ${release.candidate}) already ${endedText(release, now)}; nothing was started. ` +
      "To roll the same versions out again, rerun with another --name.",
  );
  reporter.end(summarize(release, events, checks, release.appliedSplit ?? desiredSplit(release)));
  return exitCodeFor(release.state);
}

/** Said when a new release takes the name of one that has ended. */
export function supersededText(previous: Release, now: number): string {
  return `release ${previous.name} (${previous.stable} -> ${previous.candidate}) ${endedText(previous, now)}; starting a new release of that name`;
}

function endedText(release: Release, now: number): string {
  const at = release.finishedAt ?? release.createdAt;
  const ago = formatDuration(Math.max(0, Math.round((now - at) / 1000)));
  return `ended ${release.state.replace("_", " ")} ${ago} ago (${new Date(at).toISOString()})${release.reason ? `: ${release.reason}` : ""}`;
}

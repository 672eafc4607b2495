import { formatSplit } from "../../core/split.js";
import type { Schemas } from "./api-client.js";
import { printFields, printTable, shortTime } from "./output.js";
import type { ReleaseDetail } from "./release-state.js";

type ReleaseSummary = Schemas["ReleaseSummary"];

export function printReleases(releases: ReleaseSummary[]): void {
  printTable(
    ["ID", "NAME", "TARGET", "STATE", "STAGE", "SPLIT", "CREATED"],
    releases.map((release) => [release.id, release.name, release.target ?? "-", release.state, stageText(release), formatSplit(release.split), shortTime(release.createdAt)]),
    "no releases",
  );
}

export function printRelease(release: ReleaseSummary): void {
  printFields([
    ["id", release.id],
    ["name", release.name],
    ["target", release.target ?? "-"],
    ["versions", `${release.stable} -> ${release.candidate}`],
    ["plan", release.plan],
    ["state", release.reason ? `${release.state} (${release.reason})` : release.state],
    ["stage", stageText(release)],
    ["split", formatSplit(release.split)],
    ["created", `${shortTime(release.createdAt)} by ${release.createdBy ?? "-"}`],
    ["finished", shortTime(release.finishedAt)],
    ["url", release.url],
  ]);
}

export function printReleaseDetail(detail: ReleaseDetail): void {
  printRelease(detail);
  process.stdout.write("\n");
  printTable(
    ["STAGE", "PERCENT", "SOAK", "PROGRESSION", "STATUS"],
    detail.stages.map((stage) => [String(stage.index + 1), `${stage.percent}%`, `${stage.soakSeconds}s`, stage.progression, stage.status]),
    "no stages",
  );
  process.stdout.write(`\n${detail.checks.length} checks, ${detail.events.length} events\n`);
}

function stageText(release: ReleaseSummary): string {
  return release.stage ? `${release.stage.index + 1}/${release.stage.count} (${release.stage.percent}%)` : "-";
}

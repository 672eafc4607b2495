import logUpdate from "log-update";
import pc from "picocolors";
import { formatDuration } from "../../core/duration.js";
import type { ReleaseEventDraft } from "../../core/events.js";
import { currentStage, desiredSplit, type Release } from "../../core/release.js";
import { formatSplit } from "../../core/split.js";
import { CHECK_REPEAT_SECONDS, CheckLines } from "./check-lines.js";
import { describeCheck, describeEvent } from "./event-text.js";
import { KEY_HELP } from "./operator-input.js";
import type { RolloutSummary } from "./summary.js";

/** Shows a rollout as it happens: live on a terminal, one line per event in logs, JSON for machines. */
export interface RolloutReporter {
  begin(release: Release, resumed: boolean): void;
  event(release: Release, event: ReleaseEventDraft): void;
  retry(message: string, delayMs: number): void;
  /** Something the person running the rollout should read, such as a refused command. */
  notice(message: string): void;
  /** Something that must be read even where standard output goes nowhere, such as traffic put back on stable: on standard error. */
  warning(message: string): void;
  /** A key's question awaiting its answer, or undefined once it has one. */
  prompt(question: string | undefined): void;
  end(summary: RolloutSummary): void;
}

export interface ReporterOptions {
  /** What Ctrl-C does, said in the live display's key help. */
  ctrlC?: string;
  /** How many times faster than real time the release's plan runs (the demo's --time-scale), so a log repeats a check as often in the plan's time. */
  timeScale?: number;
}

export function createReporter(mode: "json" | "tty" | "plain", now: () => number, { ctrlC = "cancel", timeScale = 1 }: ReporterOptions = {}): RolloutReporter {
  if (mode === "json") return new JsonReporter();
  return mode === "tty" ? new LiveReporter(now, ctrlC) : new LineReporter(now, (CHECK_REPEAT_SECONDS * 1000) / timeScale);
}

function writeWarning(message: string) {
  process.stderr.write(`glidepath: ${message}\n`);
}

class JsonReporter implements RolloutReporter {
  begin() {}
  event(release: Release, event: ReleaseEventDraft) {
    process.stdout.write(`${JSON.stringify({ releaseId: release.id, ...event, at: new Date(event.at).toISOString() })}\n`);
  }
  retry() {}
  notice(message: string) {
    writeWarning(message);
  }
  warning(message: string) {
    writeWarning(message);
  }
  prompt(question: string | undefined) {
    if (question) writeWarning(question);
  }
  end(summary: RolloutSummary) {
    process.stdout.write(`${JSON.stringify(summary)}\n`);
  }
}

class LineReporter implements RolloutReporter {
  private readonly checkLines: CheckLines;

  constructor(
    protected readonly now: () => number,
    checkRepeatMs: number,
  ) {
    this.checkLines = new CheckLines(checkRepeatMs);
  }

  begin(release: Release, resumed: boolean) {
    if (resumed) this.print(resumeLine(release));
  }
  event(release: Release, event: ReleaseEventDraft) {
    if (event.type === "check_completed") {
      const line = this.checkLines.check(event.check, describeCheck(release, event.check), this.now());
      if (line) this.print(line);
      return;
    }
    const line = describeEvent(release, event);
    if (!line) return;
    const heldCheck = this.checkLines.flush(this.now());
    if (heldCheck) this.print(heldCheck);
    this.print(line);
  }
  retry(message: string, delayMs: number) {
    this.print(pc.yellow(`${message}; retrying in ${formatDuration(delayMs / 1000)}`));
  }
  notice(message: string) {
    this.print(pc.yellow(message));
  }
  warning(message: string) {
    writeWarning(message);
  }
  prompt(question: string | undefined) {
    if (question) this.print(pc.yellow(question));
  }
  end(summary: RolloutSummary) {
    const heldCheck = this.checkLines.flush(this.now());
    if (heldCheck) this.print(heldCheck);
    this.print(summaryLine(summary));
  }
  protected print(line: string) {
    process.stdout.write(`${new Date(this.now()).toISOString().slice(11, 19)} ${shortenIds(line)}\n`);
  }
}

/** Keeps a status block at the bottom of the terminal and scrolls event lines above it. */
class LiveReporter extends LineReporter {
  constructor(
    now: () => number,
    private readonly ctrlC: string,
  ) {
    // Checks are shown in the status block, not printed.
    super(now, 0);
  }

  private release: Release | undefined;
  private lastCheck = "";
  private question: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private ended = false;

  override begin(release: Release, resumed: boolean) {
    this.release = release;
    super.begin(release, resumed);
    this.timer = setInterval(() => this.render(), 250);
    this.timer.unref();
  }
  override event(release: Release, event: ReleaseEventDraft) {
    this.release = release;
    if (event.type === "check_completed") {
      this.lastCheck = describeCheck(release, event.check);
      this.render();
      return;
    }
    super.event(release, event);
  }
  override warning(message: string) {
    logUpdate.clear();
    super.warning(message);
    this.render();
  }
  override prompt(question: string | undefined) {
    this.question = question;
    this.render();
  }
  override end(summary: RolloutSummary) {
    this.ended = true;
    clearInterval(this.timer);
    logUpdate.clear();
    super.end(summary);
  }
  protected override print(line: string) {
    logUpdate.clear();
    super.print(line);
    this.render();
  }

  private render() {
    const release = this.release;
    if (!release || this.ended) return;
    const stage = currentStage(release);
    const stages = release.plan.stages.length;
    const lines = [
      pc.bold(`${release.name}  ${release.stable} -> ${release.candidate}  plan ${release.plan.name}  ${stateLabel(release)}`),
      `stage ${Math.max(release.stageIndex + 1, 0)}/${stages}  ${progressBar(release)}  ${stage ? soakText(release, this.now()) : ""}`,
      `split ${formatSplit(desiredSplit(release))}`,
      this.lastCheck ? `last ${this.lastCheck}` : pc.dim("waiting for the first check"),
      this.question ? pc.bold(pc.yellow(this.question)) : pc.dim(`keys: ${KEY_HELP}  ctrl-c ${this.ctrlC}`),
    ];
    logUpdate(shortenIds(lines.join("\n")));
  }
}

const UUIDS = /\b([0-9a-f]{8})-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;

/** Version ids such as Cloudflare's UUIDs shown by their first 8 digits, as wrangler does; JSON output keeps them whole. */
function shortenIds(text: string): string {
  return text.replace(UUIDS, "$1");
}

function stateLabel(release: Release): string {
  const label = release.state.replace("_", " ");
  if (release.state === "running" || release.state === "succeeded") return pc.green(label);
  if (release.state === "awaiting_approval" || release.state === "paused" || release.state === "pending") return pc.yellow(label);
  return pc.red(label);
}

function progressBar(release: Release): string {
  const percent = currentStage(release)?.percent ?? 0;
  const width = 20;
  const filled = Math.round((percent / 100) * width);
  return `${pc.cyan("█".repeat(filled))}${pc.dim("░".repeat(width - filled))} ${percent}%`;
}

function soakText(release: Release, now: number): string {
  if (release.state === "awaiting_approval") return pc.yellow("awaiting approval: press a to approve, d to deny");
  const stage = currentStage(release)!;
  if (stage.soakSeconds === 0) return "";
  const sinceCheck = release.state === "running" && release.lastCheckAt !== null ? (now - release.lastCheckAt) / 1000 : 0;
  const left = Math.max(0, stage.soakSeconds - release.soakServedSeconds - sinceCheck);
  return left > 0 ? `soak ${formatDuration(left)} left` : "soak served, waiting for a passing check";
}

function resumeLine(release: Release): string {
  const stage = currentStage(release);
  const left = stage ? Math.max(0, stage.soakSeconds - release.soakServedSeconds) : 0;
  const where = stage ? `stage ${release.stageIndex + 1}/${release.plan.stages.length} (${stage.percent}%)` : "its start";
  return `resuming release ${release.name} at ${where}, ${formatDuration(left)} of soak left`;
}

function summaryLine(summary: RolloutSummary): string {
  const outcome =
    summary.state === "succeeded" ? pc.green("PROMOTED") : summary.state === "cancelled" ? pc.yellow("CANCELLED") : pc.red(summary.state.toUpperCase().replace("_", " "));
  return `${outcome} ${summary.name}: final split ${formatSplit(summary.finalSplit)}${summary.reason ? ` (${summary.reason})` : ""}`;
}

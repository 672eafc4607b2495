import type { Check } from "../../core/check.js";

/**
 * How often a log repeats a check whose verdict has not changed, in the release's time: three
 * times in a built-in plan's 15-minute soak, every 5 s in the demo at time scale 60. Once a
 * minute still made the demo print a check a second.
 */
export const CHECK_REPEAT_SECONDS = 300;

interface PrintedCheck {
  stageIndex: number;
  outcome: string;
  line: string;
  at: number;
}

/**
 * Picks the checks worth a line in a log, where every check would repeat the same line several
 * times a second at a demo's time scale. A check is printed when it is the first of its stage or
 * its verdict (or the rules failing) differs from the last one printed; otherwise at most once per
 * `repeatEveryMs`, and never the same line twice in a row. The latest check held back is printed
 * before the next other event's line, so the check that passed a stage or made the rollback comes
 * before the line saying so.
 */
export class CheckLines {
  private printed: PrintedCheck | undefined;
  private held: PrintedCheck | undefined;

  constructor(private readonly repeatEveryMs: number) {}

  /** The line to print for this check now, or undefined when it is held back. */
  check(check: Check, line: string, now: number): string | undefined {
    const candidate = { stageIndex: check.stageIndex, outcome: outcomeOf(check), line, at: now };
    const last = this.printed;
    const due =
      !last ||
      last.stageIndex !== candidate.stageIndex ||
      last.outcome !== candidate.outcome ||
      (now - last.at >= this.repeatEveryMs && last.line !== line);
    if (!due) {
      this.held = candidate;
      return undefined;
    }
    this.held = undefined;
    this.printed = candidate;
    return line;
  }

  /** The check held back, to print before another event's line; undefined when it would repeat the last line. */
  flush(now: number): string | undefined {
    const held = this.held;
    this.held = undefined;
    if (!held || held.line === this.printed?.line) return undefined;
    this.printed = { ...held, at: now };
    return held.line;
  }
}

function outcomeOf(check: Check): string {
  const failing = check.results.filter((result) => result.verdict === "fail").map((result) => result.rule);
  return [check.verdict, ...failing].join(" ");
}

import type { SimulatorClock } from "../simulator-control.js";
import type { InvocationCell } from "./invocations.js";

/** All the invocations of one script in one second. */
export interface RecordedSecond {
  script: string;
  startMs: number;
  cells: InvocationCell[];
}

/** What metrics queries may see: seconds whose end is at or before `visibleUntilMs`. */
export interface TrafficWindow {
  fromMs: number;
  toMs: number;
  visibleUntilMs: number;
}

/** Seconds of traffic starting in [fromMs, toMs). */
export type SecondsBetween = (fromMs: number, toMs: number) => RecordedSecond[];

/** What the metrics endpoints read: which accounts exist, the traffic of each that metrics show yet, and for how long it is kept. */
export interface AccountTraffic {
  readonly clock: SimulatorClock;
  /** How long recorded traffic is kept: a query reaching further back is refused. */
  readonly retentionSeconds: number;
  hasAccount(accountId: string): boolean;
  /** Seconds of the account's scripts starting in [fromMs, toMs) that the lag no longer hides. */
  visibleSeconds(accountId: string, fromMs: number, toMs: number): RecordedSecond[];
}

/** The recorded seconds of every script, kept for `retentionMs`. */
export class TrafficRecord {
  private seconds: RecordedSecond[] = [];

  constructor(private readonly retentionMs: number) {}

  append(second: RecordedSecond): void {
    this.seconds.push(second);
  }

  /** Drops seconds older than the retention before `nowMs`. */
  prune(nowMs: number): void {
    const oldest = nowMs - this.retentionMs;
    const firstKept = this.seconds.findIndex(({ startMs }) => startMs >= oldest);
    this.seconds = firstKept === -1 ? [] : this.seconds.slice(firstKept);
  }

  /** Seconds starting in [fromMs, toMs) that are visible yet. */
  select({ fromMs, toMs, visibleUntilMs }: TrafficWindow): RecordedSecond[] {
    return this.seconds.filter(({ startMs }) => startMs >= fromMs && startMs < toMs && startMs + 1000 <= visibleUntilMs);
  }
}

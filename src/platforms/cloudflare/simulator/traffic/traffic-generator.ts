import type { SimulatedDeployment, SimulatedScript } from "../model.js";
import type { WorkersState } from "../workers-state.js";
import { emptyCell, type Invocation, type InvocationCell, InvocationModel } from "./invocations.js";
import type { Random } from "./random.js";
import type { TrafficRecord } from "./traffic-record.js";

/** One request routed outside the steady traffic (a probe), waiting for its second to be recorded. */
interface SingleRequest {
  script: string;
  versionId: string;
  atMs: number;
  invocation: Invocation;
}

/**
 * Turns each whole second of the clock into traffic: the script's rps (a Poisson count) is split
 * between the versions of its live deployment, each version's requests get outcomes and timings
 * from its behaviour, and the result goes into the record as histograms, never request by
 * request. Seconds are generated lazily, up to the moment something reads or changes the state,
 * which is the same as ticking every second but needs no timer and works with any clock.
 */
export class TrafficGenerator {
  private generatedUntilMs: number;
  private singles: SingleRequest[] = [];
  /** Each recorded request stands for this many. */
  sampleInterval = 1;

  constructor(
    private readonly state: WorkersState,
    private readonly record: TrafficRecord,
    private readonly random: Random,
    nowMs: number,
    private readonly retentionMs: number,
  ) {
    this.generatedUntilMs = wholeSecond(nowMs);
  }

  /** Generates every whole second that ended by `nowMs` (at most the retention's worth). */
  catchUp(nowMs: number): void {
    const until = wholeSecond(nowMs);
    if (until <= this.generatedUntilMs) return;
    this.generatedUntilMs = Math.max(this.generatedUntilMs, until - this.retentionMs);
    for (; this.generatedUntilMs < until; this.generatedUntilMs += 1000) {
      for (const script of this.state.all()) this.generateSecond(script, this.generatedUntilMs);
    }
    this.singles = this.singles.filter(({ atMs }) => atMs >= until);
    this.record.prune(until);
  }

  /** Counts one routed request in the second it happened. */
  addSingle(script: string, versionId: string, atMs: number, invocation: Invocation): void {
    this.singles.push({ script, versionId, atMs, invocation });
  }

  modelOf(script: SimulatedScript, versionId: string): InvocationModel {
    const version = script.versions.find(({ id }) => id === versionId);
    if (!version) throw new Error(`script ${script.name} has no version ${versionId}`);
    return new InvocationModel(version.behaviour, this.random);
  }

  private generateSecond(script: SimulatedScript, startMs: number): void {
    const deployment = deploymentDuring(script, startMs);
    if (!deployment) return;
    const cells: InvocationCell[] = [];
    let remaining = this.random.poisson(script.rps);
    let remainingPercent = 100;
    for (const { version_id, percentage } of deployment.versions) {
      const requests = remainingPercent <= 0 ? 0 : this.random.binomial(remaining, Math.min(1, percentage / remainingPercent));
      remaining -= requests;
      remainingPercent -= percentage;
      if (requests === 0) continue;
      const model = this.modelOf(script, version_id);
      for (const [outcome, count] of model.outcomeCounts(requests)) {
        if (count > 0) cells.push(model.cell(version_id, outcome, count, this.sampleInterval));
      }
    }
    this.addSinglesTo(cells, script.name, startMs);
    if (cells.length > 0) this.record.append({ script: script.name, startMs, cells });
  }

  private addSinglesTo(cells: InvocationCell[], script: string, startMs: number): void {
    for (const single of this.singles) {
      if (single.script !== script || single.atMs < startMs || single.atMs >= startMs + 1000) continue;
      const { outcome, wallTimeUs, cpuTimeUs, subrequests } = single.invocation;
      let cell = cells.find((candidate) => candidate.versionId === single.versionId && candidate.outcome === outcome && candidate.sampleInterval === 1);
      if (!cell) {
        cell = emptyCell(single.versionId, outcome, 1);
        cells.push(cell);
      }
      cell.sampled += 1;
      cell.subrequests += subrequests;
      cell.wallTimeUs.record(wallTimeUs);
      cell.cpuTimeUs.record(cpuTimeUs);
    }
  }
}

/** The deployment serving the second that starts at `startMs`: the last one made before it ended. */
function deploymentDuring(script: SimulatedScript, startMs: number): SimulatedDeployment | undefined {
  return script.deployments.findLast(({ createdAtMs }) => createdAtMs < startMs + 1000);
}

function wholeSecond(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}

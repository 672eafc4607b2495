import type { VersionBehaviour } from "../behaviour.js";
import { LogHistogram } from "../../../../core/log-histogram.js";
import { LogNormal } from "./log-normal.js";
import type { Random } from "./random.js";

/** The `status` dimension of `workersInvocationsAdaptive`, as far as the simulator produces it. */
export type InvocationStatus = "success" | "clientDisconnected" | "scriptThrewException" | "exceededResources";

/** Statuses counted in `sum.errors`. */
export function isErrorStatus(status: InvocationStatus): boolean {
  return status === "scriptThrewException" || status === "exceededResources";
}

/** Of the failing requests, the share that exceed resources rather than throw. */
const EXCEEDED_RESOURCES_SHARE = 0.1;

/** The invocations of one version with one status in one second, after sampling. */
export interface InvocationCell {
  versionId: string;
  status: InvocationStatus;
  /** Requests kept by sampling. */
  sampled: number;
  /** Each kept request stands for this many. */
  sampleInterval: number;
  /** Subrequests of the kept requests. */
  subrequests: number;
  wallTimeUs: LogHistogram;
  cpuTimeUs: LogHistogram;
}

export function emptyCell(versionId: string, status: InvocationStatus, sampleInterval: number): InvocationCell {
  return { versionId, status, sampled: 0, sampleInterval, subrequests: 0, wallTimeUs: new LogHistogram(), cpuTimeUs: new LogHistogram() };
}

/** One simulated request, whole. */
export interface Invocation {
  status: InvocationStatus;
  wallTimeUs: number;
  cpuTimeUs: number;
  subrequests: number;
}

/** Draws outcomes and timings for a version's requests. */
export class InvocationModel {
  private readonly wallTimeMs: LogNormal;
  private readonly cpuTimeMs: LogNormal;

  constructor(
    private readonly behaviour: VersionBehaviour,
    private readonly random: Random,
  ) {
    this.wallTimeMs = new LogNormal(behaviour.latencyMs);
    this.cpuTimeMs = new LogNormal(behaviour.cpuMs);
  }

  /** How many of `requests` end in each status. */
  statusCounts(requests: number): Map<InvocationStatus, number> {
    const { errorRate, clientDisconnectRate } = this.behaviour;
    const failed = this.random.binomial(requests, errorRate);
    const exceeded = this.random.binomial(failed, EXCEEDED_RESOURCES_SHARE);
    const disconnected = this.random.binomial(requests - failed, clientDisconnectRate);
    return new Map<InvocationStatus, number>([
      ["success", requests - failed - disconnected],
      ["clientDisconnected", disconnected],
      ["scriptThrewException", failed - exceeded],
      ["exceededResources", exceeded],
    ]);
  }

  /** A cell for `count` requests of one status, of which each is kept with probability 1 / sampleInterval. */
  cell(versionId: string, status: InvocationStatus, count: number, sampleInterval: number): InvocationCell {
    const cell = emptyCell(versionId, status, sampleInterval);
    cell.sampled = this.random.binomial(count, 1 / sampleInterval);
    cell.subrequests = this.random.poisson(cell.sampled * this.behaviour.subrequestsPerRequest);
    for (let i = 0; i < cell.sampled; i++) {
      cell.wallTimeUs.record(this.wallTimeMs.sample(this.random) * 1000);
      cell.cpuTimeUs.record(this.cpuTimeMs.sample(this.random) * 1000);
    }
    return cell;
  }

  /** One whole request. */
  one(): Invocation {
    return {
      status: this.oneStatus(),
      wallTimeUs: this.wallTimeMs.sample(this.random) * 1000,
      cpuTimeUs: this.cpuTimeMs.sample(this.random) * 1000,
      subrequests: this.random.poisson(this.behaviour.subrequestsPerRequest),
    };
  }

  private oneStatus(): InvocationStatus {
    if (this.random.next() < this.behaviour.errorRate) {
      return this.random.next() < EXCEEDED_RESOURCES_SHARE ? "exceededResources" : "scriptThrewException";
    }
    return this.random.next() < this.behaviour.clientDisconnectRate ? "clientDisconnected" : "success";
  }
}

import { LogHistogram } from "../../../../core/log-histogram.js";
import type { InvocationCell } from "./invocations.js";

/** Invocation cells added up: raw sampled counts, estimates scaled by sampling, merged timings. */
export interface InvocationTotals {
  sampled: number;
  estimatedRequests: number;
  estimatedSubrequests: number;
  /** The sample interval averaged over the sampled requests, so that sampled x interval = estimate. */
  sampleInterval: number;
  wallTimeUs: LogHistogram;
  cpuTimeUs: LogHistogram;
}

export function addUp(cells: readonly InvocationCell[]): InvocationTotals {
  const totals: InvocationTotals = {
    sampled: 0,
    estimatedRequests: 0,
    estimatedSubrequests: 0,
    sampleInterval: 1,
    wallTimeUs: new LogHistogram(),
    cpuTimeUs: new LogHistogram(),
  };
  for (const cell of cells) {
    totals.sampled += cell.sampled;
    totals.estimatedRequests += cell.sampled * cell.sampleInterval;
    totals.estimatedSubrequests += cell.subrequests * cell.sampleInterval;
    totals.wallTimeUs.merge(cell.wallTimeUs);
    totals.cpuTimeUs.merge(cell.cpuTimeUs);
  }
  if (totals.sampled > 0) totals.sampleInterval = totals.estimatedRequests / totals.sampled;
  return totals;
}

/** Items grouped by a key (compared as JSON), in first-seen order. */
export function groupBy<Item, Key>(items: readonly Item[], keyOf: (item: Item) => Key): { key: Key; items: Item[] }[] {
  const groups = new Map<string, { key: Key; items: Item[] }>();
  for (const item of items) {
    const key = keyOf(item);
    const text = JSON.stringify(key);
    const group = groups.get(text) ?? { key, items: [] };
    group.items.push(item);
    groups.set(text, group);
  }
  return [...groups.values()];
}

import { normalizeSplit, type Split } from "../../core/split.js";

/** Picks the version that serves one request. Built once per split, so a split swap is one assignment. */
export interface Router {
  readonly split: Split;
  /** The version for a request carrying `affinityKey`, or for a random point when there is none. */
  choose(affinityKey?: string): string;
}

interface Range {
  version: string;
  /** Exclusive upper end of the range, in percent. */
  upTo: number;
}

/**
 * Lays the versions out on [0, 100) as consecutive ranges, in order of version name, and serves
 * a request from the range its point falls in. A keyed request always maps to the same point, so
 * with two versions a key served by the candidate stays with it while the candidate's share only
 * grows: the candidate's range widens from its own end of the line, never moving away from points
 * it already covers.
 */
export function createRouter(split: Split, random: () => number = Math.random): Router {
  const ranges: Range[] = [];
  let upTo = 0;
  for (const { version, percent } of normalizeSplit(split)) {
    upTo += percent;
    ranges.push({ version, upTo });
  }
  if (ranges.length === 0) throw new RangeError("a router needs a split with at least one version above 0%");

  return {
    split,
    choose(affinityKey) {
      const point = (affinityKey === undefined ? random() : affinityPoint(affinityKey)) * 100;
      // The last range also takes points that rounding of the percents leaves past its end.
      return (ranges.find((range) => point < range.upTo) ?? ranges[ranges.length - 1]!).version;
    },
  };
}

const textEncoder = new TextEncoder();

/** A stable point in [0, 1) for a key: 32-bit FNV-1a over its UTF-8 bytes, then murmur3's finalizer. */
export function affinityPoint(key: string): number {
  let hash = 0x811c9dc5;
  for (const byte of textEncoder.encode(key)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193);
  }
  // FNV-1a alone leaves keys that differ only in their last characters close together.
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return (hash >>> 0) / 2 ** 32;
}

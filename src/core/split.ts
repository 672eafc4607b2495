/** The traffic share per version. Entries are percents that always sum to 100. */
export interface SplitEntry {
  version: string;
  percent: number;
}
export type Split = SplitEntry[];

/** Platforms keep percents to three decimals (Cloudflare does), so closer than this is the same split. */
const PERCENT_EPSILON = 0.0005;

/** The split that sends `candidatePercent` to the candidate and the rest to the stable version. */
export function splitAt(stable: string, candidate: string, candidatePercent: number): Split {
  if (candidatePercent <= 0) return [{ version: stable, percent: 100 }];
  if (candidatePercent >= 100) return [{ version: candidate, percent: 100 }];
  return [
    { version: stable, percent: 100 - candidatePercent },
    { version: candidate, percent: candidatePercent },
  ];
}

/** The percent of traffic a version receives under a split (0 when it is absent). */
export function percentOf(split: Split, version: string): number {
  return split.filter((entry) => entry.version === version).reduce((sum, entry) => sum + entry.percent, 0);
}

/** The same split in a canonical form: no zero entries, one entry per version, sorted by version. */
export function normalizeSplit(split: Split): Split {
  const byVersion = new Map<string, number>();
  for (const { version, percent } of split) byVersion.set(version, (byVersion.get(version) ?? 0) + percent);
  return [...byVersion]
    .filter(([, percent]) => percent > PERCENT_EPSILON)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([version, percent]) => ({ version, percent }));
}

export function splitsEqual(a: Split, b: Split): boolean {
  const left = normalizeSplit(a);
  const right = normalizeSplit(b);
  return (
    left.length === right.length &&
    left.every((entry, i) => entry.version === right[i]!.version && Math.abs(entry.percent - right[i]!.percent) < PERCENT_EPSILON)
  );
}

/** Why a split is not valid, or undefined when it is. */
export function splitProblem(split: Split): string | undefined {
  if (split.length === 0) return "a split needs at least one version";
  for (const { version, percent } of split) {
    if (!version) return "every split entry needs a version";
    if (!Number.isFinite(percent) || percent < 0 || percent > 100) {
      return `percent for ${version} must be between 0 and 100, got ${percent}`;
    }
  }
  const versions = new Set(split.map((entry) => entry.version));
  if (versions.size !== split.length) return "each version may appear only once in a split";
  const total = split.reduce((sum, entry) => sum + entry.percent, 0);
  if (Math.abs(total - 100) > 1e-6) return `percents must sum to 100, got ${total}`;
  return undefined;
}

/** Human form, e.g. "v1=95% v2=5%". */
export function formatSplit(split: Split): string {
  return normalizeSplit(split)
    .map(({ version, percent }) => `${version}=${Number(percent.toFixed(2))}%`)
    .join(" ");
}

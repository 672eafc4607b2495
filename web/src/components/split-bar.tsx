interface SplitPart {
  version: string;
  percent: number;
}

/**
 * The traffic split as a bar, the candidate's share first; the text alternative says the same in
 * words. `candidate` marks which version to color as the new one.
 */
export function SplitBar({ split, candidate }: { split: SplitPart[]; candidate?: string }) {
  const ordered = [...split].sort((a, b) => Number(b.version === candidate) - Number(a.version === candidate));
  const words = ordered.map((part) => `${part.version} ${formatPercent(part.percent)}`).join(", ");
  return (
    <div className="split" role="img" aria-label={`Traffic split: ${words}`}>
      <div className="split-bar">
        {ordered
          .filter((part) => part.percent > 0)
          .map((part) => (
            <span
              key={part.version}
              className={part.version === candidate ? "split-candidate" : "split-stable"}
              style={{ width: `${part.percent}%` }}
            />
          ))}
      </div>
      <span className="split-words" aria-hidden="true">
        {words}
      </span>
    </div>
  );
}

export function formatPercent(percent: number): string {
  return `${Number.isInteger(percent) ? percent : percent.toFixed(1)}%`;
}

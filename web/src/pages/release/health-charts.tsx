import { useId } from "react";
import { CartesianGrid, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { isSequential, type Plan, type Slo } from "../../../../src/core/plan";
import { LATENCY_SLIS, type Sli } from "../../../../src/core/sli";
import { formatDateTime } from "../../format";
import { LazyDetails } from "./lazy-details";
import { eventsOf, formatCount, formatSli, sliName, type ReleaseDetail, type SeriesPoint } from "./release-model";
import { upperFirst } from "./slo-words";

interface Row {
  at: number;
  stageIndex: number;
  stable?: SeriesPoint;
  candidate?: SeriesPoint;
}

type ChartRow = { at: number; stable: number | null; candidate: number | null } & Record<`limit${number}`, number | null>;

/** Line styles: color and dash tell the versions apart, so color is never the only cue. */
const STYLES = {
  stable: { stroke: "var(--stable)", strokeDasharray: "6 4" },
  candidate: { stroke: "var(--candidate)", strokeDasharray: undefined },
  limit: { stroke: "var(--bad)", strokeDasharray: "2 3" },
} as const;

const clock = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });

/** The SLIs each check measured, per version over time, against the plan's limits. */
export function HealthCharts({ release, plan }: { release: ReleaseDetail; plan: Plan | null }) {
  const rows = mergeSeries(release);
  const slos = plan?.slos ?? [];
  return (
    <section aria-labelledby="health-heading">
      <h2 id="health-heading">Health</h2>
      {rows.length === 0 ? (
        <p className="card muted">
          No measurements yet. The charts fill in with each check, once both versions serve traffic
          {plan ? ` (every ${plan.policy.checkIntervalSeconds}s)` : ""}.
        </p>
      ) : (
        <div className="charts">
          {chartedSlis(slos).map((sli) => (
            <SliChart key={sli} sli={sli} rows={rows} release={release} slos={slos.filter((slo) => slo.sli === sli)} />
          ))}
        </div>
      )}
    </section>
  );
}

/** The error rate, p50 latency, and every other latency the plan holds to a limit (p99 when it holds none). */
function chartedSlis(slos: Slo[]): Sli[] {
  const held = new Set(slos.map((slo) => slo.sli));
  const latencies = LATENCY_SLIS.filter((sli) => sli === "latency_p50" || held.has(sli));
  return ["error_rate", ...(latencies.length > 1 ? latencies : [...latencies, "latency_p99" as const])];
}

function mergeSeries(release: ReleaseDetail): Row[] {
  const rows = new Map<string, Row>();
  for (const side of ["stable", "candidate"] as const) {
    for (const point of release.series[side]) {
      const row = rows.get(point.at) ?? { at: new Date(point.at).getTime(), stageIndex: point.stageIndex };
      row[side] = point;
      rows.set(point.at, row);
    }
  }
  return [...rows.values()].sort((a, b) => a.at - b.at);
}

function valueOf(sli: Sli, point: SeriesPoint | undefined): number | null {
  if (!point) return null;
  return sli === "error_rate" ? point.errorRate : (point.latencyMs[sli.slice("latency_".length)] ?? null);
}

function SliChart({ sli, rows, release, slos }: { sli: Sli; rows: Row[]; release: ReleaseDetail; slos: Slo[] }) {
  const { stable, candidate } = release;
  const ratios = slos.flatMap((slo) => ("maxRatioToStable" in slo ? [slo.maxRatioToStable] : []));
  const data: ChartRow[] = rows.map((row) => {
    const stableValue = valueOf(sli, row.stable);
    const chartRow: ChartRow = { at: row.at, stable: stableValue, candidate: valueOf(sli, row.candidate) };
    ratios.forEach((ratio, i) => (chartRow[`limit${i}`] = stableValue === null ? null : stableValue * ratio));
    return chartRow;
  });
  const title = upperFirst(sliName(sli));
  const format = (value: number) => formatSli(sli, value);
  // Only stages that started between the first and the last point: one at an edge would sit on the axis.
  const stageStarts = eventsOf(release)
    .flatMap((event) => (event.type === "stage_started" ? [{ ...event, x: new Date(event.at).getTime() }] : []))
    .filter((event) => event.x > rows[0]!.at && event.x < rows.at(-1)!.at);
  const titleId = useId();

  return (
    <figure className="card chart" aria-labelledby={titleId}>
      <figcaption>
        <h3 id={titleId}>{title}</h3>
        <ChartLegend stable={stable} candidate={candidate} limits={slos.some((slo) => !isSequential(slo))} />
        {limitNotes(slos, stable).map((note) => (
          <p key={note} className="muted small">
            {note}
          </p>
        ))}
      </figcaption>
      <div role="img" aria-label={`${title} of ${stable} and ${candidate} over time, as a line chart. The table below has the same numbers.`}>
        <ResponsiveContainer width="100%" height={220}>
          <LineChart data={data} margin={{ top: 16, right: 28, bottom: 0, left: 0 }} accessibilityLayer={false}>
            <CartesianGrid stroke="var(--border)" strokeDasharray="3 3" />
            <XAxis dataKey="at" type="number" scale="time" domain={["dataMin", "dataMax"]} tickFormatter={(at: number) => clock.format(at)} stroke="var(--muted)" fontSize={12} />
            <YAxis tickFormatter={format} width={64} stroke="var(--muted)" fontSize={12} />
            <Tooltip
              labelFormatter={(at) => clock.format(Number(at))}
              formatter={(value) => (typeof value === "number" ? format(value) : "n/a")}
              contentStyle={{ background: "var(--surface)", border: "1px solid var(--border)" }}
            />
            {stageStarts.map((event) => (
              <ReferenceLine
                key={event.id}
                x={event.x}
                stroke="var(--muted)"
                strokeOpacity={0.5}
                label={{ value: `${event.percent}%`, position: "insideTopLeft", fill: "var(--muted)", fontSize: 11 }}
              />
            ))}
            {slos.flatMap((slo) =>
              "max" in slo
                ? [
                    <ReferenceLine
                      key={`max-${slo.max}`}
                      y={slo.max}
                      ifOverflow="extendDomain"
                      {...STYLES.limit}
                      label={{ value: `limit ${format(slo.max)}`, position: "insideBottomRight", fill: "var(--bad)", fontSize: 11 }}
                    />,
                  ]
                : [],
            )}
            {ratios.map((ratio, i) => (
              <Line key={`ratio-${ratio}`} dataKey={`limit${i}`} name={`limit ${ratio} × ${stable}`} dot={false} isAnimationActive={false} {...STYLES.limit} />
            ))}
            <Line dataKey="stable" name={stable} dot={false} isAnimationActive={false} strokeWidth={2} connectNulls {...STYLES.stable} />
            <Line dataKey="candidate" name={candidate} dot={false} isAnimationActive={false} strokeWidth={2} connectNulls {...STYLES.candidate} />
          </LineChart>
        </ResponsiveContainer>
      </div>
      <LazyDetails summary="Show data as a table">{() => <ChartTable sli={sli} rows={rows} ratios={ratios} release={release} />}</LazyDetails>
    </figure>
  );
}

/** What the limit lines are, and why a sequential test has none. */
function limitNotes(slos: Slo[], stable: string): string[] {
  return slos.map((slo) => {
    if ("max" in slo) return `Red dotted line: the limit of ${formatSli(slo.sli, slo.max)}.`;
    if ("maxRatioToStable" in slo) return `Red dotted line: the limit, ${slo.maxRatioToStable} × ${stable}'s value at each check.`;
    return `A sequential test also compares the versions' counts over the whole release; it has no fixed line (see Checks for its evidence).`;
  });
}

function ChartLegend({ stable, candidate, limits }: { stable: string; candidate: string; limits: boolean }) {
  const entries = [
    { label: `${stable} (stable)`, style: STYLES.stable },
    { label: `${candidate} (candidate)`, style: STYLES.candidate },
    ...(limits ? [{ label: "limit", style: STYLES.limit }] : []),
  ];
  return (
    <ul className="chart-legend small">
      {entries.map(({ label, style }) => (
        <li key={label}>
          <svg width="28" height="8" aria-hidden="true">
            <line x1="0" y1="4" x2="28" y2="4" strokeWidth="2" {...style} />
          </svg>
          {label}
        </li>
      ))}
    </ul>
  );
}

function ChartTable({ sli, rows, ratios, release }: { sli: Sli; rows: Row[]; ratios: number[]; release: ReleaseDetail }) {
  const { stable, candidate } = release;
  return (
    <div className="table-wrap">
      <table>
        <caption className="visually-hidden">
          {sliName(sli)} of {stable} and {candidate} at each check
        </caption>
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Stage</th>
            <th scope="col" className="number">
              {stable}
            </th>
            <th scope="col" className="number">
              {candidate}
            </th>
            {ratios.map((ratio) => (
              <th key={ratio} scope="col" className="number">
                Limit ({ratio} × {stable})
              </th>
            ))}
            <th scope="col" className="number">
              {stable} requests
            </th>
            <th scope="col" className="number">
              {candidate} requests
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.at}>
              <td>
                <time dateTime={new Date(row.at).toISOString()} title={formatDateTime(new Date(row.at).toISOString())}>
                  {clock.format(row.at)}
                </time>
              </td>
              <td>
                {row.stageIndex + 1} ({release.stages[row.stageIndex]?.percent ?? "?"}%)
              </td>
              <td className="number">{formatSli(sli, valueOf(sli, row.stable))}</td>
              <td className="number">{formatSli(sli, valueOf(sli, row.candidate))}</td>
              {ratios.map((ratio) => {
                const stableValue = valueOf(sli, row.stable);
                return (
                  <td key={ratio} className="number">
                    {formatSli(sli, stableValue === null ? null : stableValue * ratio)}
                  </td>
                );
              })}
              <td className="number">{row.stable ? formatCount(row.stable.requests) : "—"}</td>
              <td className="number">{row.candidate ? formatCount(row.candidate.requests) : "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

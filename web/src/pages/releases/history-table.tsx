import { useEffect, useState } from "react";
import { Link } from "react-router";
import type { Schemas } from "../../api/client";
import { formatDuration } from "../../../../src/core/duration";
import { formatDateTime, formatRelative, stateLabel } from "../../format";
import { ACTIVE_STATES } from "./history-filters";

type Release = Schemas["ReleaseSummary"];

/** How long a reason may run in the table; the full text is in its tooltip and on the release's page. */
const REASON_LENGTH = 90;

export function HistoryTable({ releases, team }: { releases: Release[]; team: string }) {
  const now = useNow(5_000);
  return (
    <div className="table-wrap">
      <table className="history-table">
        <caption className="visually-hidden">Releases, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Release</th>
            <th scope="col">Target</th>
            <th scope="col">Versions</th>
            <th scope="col">State</th>
            <th scope="col">Stage</th>
            <th scope="col">Started</th>
            <th scope="col">Duration</th>
            <th scope="col">Outcome</th>
          </tr>
        </thead>
        <tbody>
          {releases.map((release) => (
            <ReleaseRow key={release.id} release={release} team={team} now={now} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ReleaseRow({ release, team, now }: { release: Release; team: string; now: number }) {
  const active = ACTIVE_STATES.includes(release.state);
  return (
    <tr className={active ? "release-active" : undefined}>
      <th scope="row">
        <Link to={`/t/${team}/releases/${release.id}`}>{release.name}</Link>
        {release.createdBy && <div className="muted small">by {release.createdBy}</div>}
      </th>
      <td>{release.target ?? <span className="muted">deleted</span>}</td>
      <td className="versions">
        <code>{release.stable}</code> <span aria-hidden="true">→</span>
        <span className="visually-hidden">to</span> <code>{release.candidate}</code>
      </td>
      <td>
        <span className={`badge badge-${release.state}`}>{stateLabel(release.state)}</span>
      </td>
      <td className="history-stage">{stageReached(release)}</td>
      <td>
        <time dateTime={release.createdAt} title={formatDateTime(release.createdAt)}>
          {formatRelative(release.createdAt, now)}
        </time>
      </td>
      <td className="duration">{duration(release, now)}</td>
      <td className="reason">
        <span title={release.reason ?? undefined}>{shorten(release.reason)}</span>
      </td>
    </tr>
  );
}

function stageReached(release: Release): string {
  if (!release.stage) return "—";
  const { index, count, percent } = release.stage;
  return `${index + 1} of ${count} · ${percent}%`;
}

function duration(release: Release, now: number): string {
  const since = new Date(release.createdAt).getTime();
  if (release.finishedAt) return formatDuration(Math.max(0, new Date(release.finishedAt).getTime() - since) / 1000);
  const elapsed = formatDuration(Math.max(0, now - since) / 1000);
  return release.state === "pending" ? `waiting for ${elapsed}` : `running for ${elapsed}`;
}

function shorten(reason: string | null): string {
  if (!reason) return "—";
  return reason.length > REASON_LENGTH ? `${reason.slice(0, REASON_LENGTH - 1)}…` : reason;
}

/** The time, read again every `everyMs`, so running durations and "3 minutes ago" stay true. */
function useNow(everyMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { Link, useParams } from "react-router";
import { api, ApiProblem, unwrap } from "../../api/client";
import { useLiveEvents, type Connection } from "../../api/live-events";
import { ErrorNotice } from "../../components/error-notice";
import { PageHeader } from "../../components/layout";
import { formatDuration } from "../../../../src/core/duration";
import { formatDateTime, stateLabel } from "../../format";
import { useTeam } from "../../session/session";
import { ChecksList } from "./checks-list";
import { HealthCharts } from "./health-charts";
import { OutcomeNotice } from "./outcome-notice";
import { ReleaseActions } from "./release-actions";
import { eventsOf, isTerminalState, planOf, type ReleaseDetail } from "./release-model";
import { StageTrack } from "./stage-track";
import { Timeline } from "./timeline";
import { useNow } from "./use-now";
import "./release-page.css";

/** Events often come in bursts (a check, a stage, a split): one refresh answers a burst. */
const REFRESH_DELAY_MS = 300;

/** /t/:team/releases/:release: one release, followed live. */
export function ReleasePage() {
  const team = useTeam();
  const { release: id = "" } = useParams();
  const queryKey = ["release", team.slug, id];
  const queryClient = useQueryClient();
  const detail = useQuery({
    queryKey,
    queryFn: () => unwrap(api.GET("/api/v1/teams/{team}/releases/{release}", { params: { path: { team: team.slug, release: id } } })),
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey });

  if (detail.isPending) return <p role="status">Loading the release…</p>;
  if (!detail.data) {
    const notFound = detail.error instanceof ApiProblem && detail.error.status === 404;
    return (
      <>
        <PageHeader title={notFound ? "Release not found" : "Release"} />
        <ErrorNotice error={detail.error} />
        {notFound && (
          <p>
            <Link to={`/t/${team.slug}/releases`}>See the team's releases</Link>
          </p>
        )}
      </>
    );
  }
  return <ReleaseView key={detail.data.id} release={detail.data} refreshError={detail.error} onChanged={refresh} />;
}

/**
 * Follows the release's event stream from the newest event the page first loaded, and refreshes
 * the detail on each new event; events a refresh already brought cause no other.
 */
function useRefreshOnEvents(release: ReleaseDetail, refresh: () => Promise<unknown>): Connection {
  const { slug } = useTeam();
  const lastKnownId = eventsOf(release).at(-1)?.id ?? 0;
  const [startAfter] = useState(lastKnownId);
  const pending = useRef<ReturnType<typeof setTimeout>>(undefined);
  useEffect(() => () => clearTimeout(pending.current), []);
  return useLiveEvents(`/api/v1/teams/${slug}/releases/${release.id}/events?after=${startAfter}`, (event) => {
    if (event.id <= lastKnownId || pending.current !== undefined) return;
    pending.current = setTimeout(() => {
      pending.current = undefined;
      void refresh();
    }, REFRESH_DELAY_MS);
  });
}

interface ReleaseViewProps {
  release: ReleaseDetail;
  /** Why the latest refresh failed; the page keeps showing what it had. */
  refreshError: unknown;
  onChanged(): Promise<unknown>;
}

function ReleaseView({ release, refreshError, onChanged }: ReleaseViewProps) {
  const connection = useRefreshOnEvents(release, onChanged);
  const plan = planOf(release);
  return (
    <>
      <PageHeader title={release.name} actions={<ReleaseActions release={release} onDone={onChanged} />}>
        <p className="release-state">
          <span className={`badge badge-${release.state}`}>{stateLabel(release.state)}</span>
          <ConnectionState connection={connection} />
        </p>
      </PageHeader>
      <ReleaseFacts release={release} />
      <ErrorNotice error={refreshError} title="Could not refresh the release" />
      <OutcomeNotice release={release} />
      <div className="release-layout">
        <StageTrack release={release} plan={plan} />
        <div className="release-main">
          <HealthCharts release={release} plan={plan} />
          <ChecksList release={release} />
        </div>
      </div>
      <Timeline release={release} />
    </>
  );
}

const CONNECTION_WORDS: Record<Connection, string> = {
  connecting: "Connecting…",
  live: "Live",
  reconnecting: "Reconnecting…",
  ended: "Updates ended",
};

function ConnectionState({ connection }: { connection: Connection }) {
  return (
    <span className={`connection connection-${connection}`} role="status">
      <span aria-hidden="true" className="connection-dot" />
      {CONNECTION_WORDS[connection]}
    </span>
  );
}

function ReleaseFacts({ release }: { release: ReleaseDetail }) {
  const ended = release.finishedAt ?? (isTerminalState(release.state) ? release.updatedAt : null);
  const now = useNow(ended === null);
  const durationSeconds = ((ended ? new Date(ended).getTime() : now) - new Date(release.createdAt).getTime()) / 1000;
  return (
    <dl className="release-facts">
      <div>
        <dt>Target</dt>
        <dd>{release.target ?? "—"}</dd>
      </div>
      <div>
        <dt>Versions</dt>
        <dd>
          <span className="version-stable">{release.stable}</span> → <span className="version-candidate">{release.candidate}</span>
        </dd>
      </div>
      <div>
        <dt>Plan</dt>
        <dd>{release.plan}</dd>
      </div>
      <div>
        <dt>Created</dt>
        <dd>
          {formatDateTime(release.createdAt)}
          {release.createdBy && ` by ${release.createdBy}`}
        </dd>
      </div>
      <div>
        <dt>{ended ? "Took" : release.state === "pending" ? "Waiting for" : "Duration"}</dt>
        <dd>{formatDuration(Math.max(0, durationSeconds))}</dd>
      </div>
      {release.ticketUrl && (
        <div>
          <dt>Ticket</dt>
          <dd>
            <a href={release.ticketUrl} rel="noreferrer">
              {ticketLabel(release.ticketUrl)}
            </a>
          </dd>
        </div>
      )}
    </dl>
  );
}

/** A ticket link short enough for the header: its host and path. */
function ticketLabel(url: string): string {
  const { host, pathname } = new URL(url);
  return `${host}${pathname === "/" ? "" : pathname}`;
}

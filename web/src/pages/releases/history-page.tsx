import { useInfiniteQuery, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { Link, useSearchParams } from "react-router";
import { api, unwrap } from "../../api/client";
import { useLiveEvents } from "../../api/live-events";
import { ErrorNotice } from "../../components/error-notice";
import { PageHeader } from "../../components/layout";
import { useTeam } from "../../session/session";
import { HistoryFilters, historyQuery, isFiltered } from "./history-filters";
import { HistoryTable } from "./history-table";
import "./history.css";

/** Events arriving together (a check, a split, a stage) refresh the list once. */
const REFRESH_COALESCE_MS = 750;

export function HistoryPage() {
  const team = useTeam();
  const [params, setParams] = useSearchParams();
  const query = historyQuery(params);
  const queryKey = ["teams", team.slug, "releases", "history", query] as const;

  const releases = useInfiniteQuery({
    queryKey,
    initialPageParam: query.before,
    queryFn: ({ pageParam }) =>
      unwrap(api.GET("/api/v1/teams/{team}/releases", { params: { path: { team: team.slug }, query: { ...query, before: pageParam } } })),
    getNextPageParam: (page) => page.nextBefore ?? undefined,
  });
  const targets = useQuery({
    queryKey: ["teams", team.slug, "targets"],
    queryFn: () => unwrap(api.GET("/api/v1/teams/{team}/targets", { params: { path: { team: team.slug } } })),
  });

  const connection = useLiveEvents(`/api/v1/teams/${team.slug}/events`, useCoalescedRefresh(queryKey));
  const rows = releases.data?.pages.flatMap((page) => page.releases) ?? [];

  return (
    <>
      <PageHeader
        title="Releases"
        actions={
          team.can("deployer") && (
            <Link className="button primary" to={`/t/${team.slug}/releases/new`}>
              New release
            </Link>
          )
        }
      >
        <p className="muted">
          Every release of {team.name}, newest first; active ones are marked.{" "}
          <span className={`history-live history-live-${connection}`}>{connectionWords[connection]}</span>
        </p>
      </PageHeader>
      <HistoryFilters params={params} setParams={setParams} targets={targets.data?.targets.map((target) => target.name) ?? []} />
      {releases.isPending && <p role="status">Loading releases…</p>}
      <ErrorNotice error={releases.error} title="The releases could not be read" />
      {releases.isSuccess && rows.length === 0 && <NoReleases filtered={isFiltered(params)} canCreate={team.can("deployer")} team={team.slug} />}
      {rows.length > 0 && <HistoryTable releases={rows} team={team.slug} />}
      {releases.hasNextPage && (
        <p className="history-load-more">
          <button type="button" className="button" onClick={() => void releases.fetchNextPage()} disabled={releases.isFetchingNextPage}>
            {releases.isFetchingNextPage ? "Loading…" : "Load more"}
          </button>
        </p>
      )}
    </>
  );
}

const connectionWords = {
  connecting: "Connecting to live updates…",
  live: "Updates live.",
  reconnecting: "Live updates interrupted; reconnecting…",
  ended: "Live updates stopped; reload to resume.",
} as const;

/** Refetches the list once per burst of events rather than once per event. */
function useCoalescedRefresh(queryKey: readonly unknown[]) {
  const queryClient = useQueryClient();
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  useEffect(
    () => () => {
      clearTimeout(timer.current);
      timer.current = undefined;
    },
    [],
  );
  return () => {
    if (timer.current !== undefined) return;
    timer.current = setTimeout(() => {
      timer.current = undefined;
      void queryClient.invalidateQueries({ queryKey });
    }, REFRESH_COALESCE_MS);
  };
}

function NoReleases({ filtered, canCreate, team }: { filtered: boolean; canCreate: boolean; team: string }) {
  if (filtered) return <p className="card">No release matches these filters. Clear them to see every release.</p>;
  return (
    <p className="card">
      No releases yet.{" "}
      {canCreate ? (
        <>
          <Link to={`/t/${team}/releases/new`}>Start the first one</Link>: pick a target and the version to roll out.
        </>
      ) : (
        "A deployer or an admin can start one."
      )}
    </p>
  );
}

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "react-router";
import { api, unwrap, type Schemas } from "../../api/client";
import { ConfirmDialog } from "../../components/confirm-dialog";
import { ErrorNotice } from "../../components/error-notice";
import { PageHeader } from "../../components/layout";
import { SplitBar } from "../../components/split-bar";
import { stateLabel } from "../../format";
import { useTeam } from "../../session/session";
import { ACTIVE_STATES, fetchTargets, LIVE_REFRESH_MS, PLATFORM_LABELS, targetKeys } from "./target-queries";
import "./targets.css";

export function TargetsPage() {
  const team = useTeam();
  const targets = useQuery({ queryKey: targetKeys.all(team.slug), queryFn: () => fetchTargets(team.slug) });
  const isAdmin = team.can("admin");

  return (
    <>
      <PageHeader
        title="Targets"
        actions={
          isAdmin && (
            <Link className="button primary" to={`/t/${team.slug}/targets/new`}>
              Connect a target
            </Link>
          )
        }
      >
        <p className="muted">Where traffic is split: a Worker or a local proxy, with its live split and the release running on it.</p>
      </PageHeader>
      {targets.isPending && <p role="status">Loading targets…</p>}
      <ErrorNotice error={targets.error} title="The targets could not be read" />
      {targets.data && targets.data.targets.length === 0 && <NoTargets isAdmin={isAdmin} team={team.slug} />}
      {targets.data && targets.data.targets.length > 0 && (
        <ul className="target-list grid">
          {targets.data.targets.map((target) => (
            <li key={target.id}>
              <TargetCard target={target} />
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

function NoTargets({ isAdmin, team }: { isAdmin: boolean; team: string }) {
  return (
    <div className="card targets-empty">
      {isAdmin ? (
        <p>
          No targets yet — <Link to={`/t/${team}/targets/new`}>connect one</Link>: a Cloudflare Worker or a local proxy whose traffic
          releases will shift.
        </p>
      ) : (
        <p>No targets yet — an admin can connect one: a Cloudflare Worker or a local proxy whose traffic releases will shift.</p>
      )}
    </div>
  );
}

function TargetCard({ target }: { target: Schemas["Target"] }) {
  const team = useTeam();
  const queryClient = useQueryClient();
  const active = useActiveRelease(target.name);
  const headingId = `target-${target.id}`;

  const deleteTarget = async () => {
    await unwrap(api.DELETE("/api/v1/teams/{team}/targets/{target}", { params: { path: { team: team.slug, target: target.name } } }));
    // Only the list: the deleted target's own queries would ask for it again and get 404.
    queryClient.removeQueries({ queryKey: targetKeys.one(team.slug, target.name) });
    await queryClient.invalidateQueries({ queryKey: targetKeys.all(team.slug), exact: true });
  };

  return (
    <article className="card target-card" aria-labelledby={headingId}>
      <div className="target-card-header">
        <h2 id={headingId}>{target.name}</h2>
        <span className="badge">{PLATFORM_LABELS[target.platform] ?? target.platform}</span>
      </div>
      <dl className="target-facts">
        <dt>Connection</dt>
        <dd>{target.connection}</dd>
        {target.settings.worker && (
          <>
            <dt>Worker</dt>
            <dd>
              <code>{target.settings.worker}</code>
            </dd>
          </>
        )}
        <dt>Default plan</dt>
        <dd>{target.defaultPlan ?? <span className="muted">none — releases use “standard” unless they name a plan</span>}</dd>
        <dt>Live split</dt>
        <dd>
          <LiveSplit target={target.name} candidate={active.data?.candidate} />
        </dd>
        <dt>Release</dt>
        <dd>
          <ActiveRelease query={active} />
        </dd>
      </dl>
      <p className="target-links small">
        <Link to={`/t/${team.slug}/releases?target=${encodeURIComponent(target.name)}`}>Releases on {target.name}</Link>
      </p>
      {team.can("admin") && (
        <div className="target-actions">
          <ConfirmDialog
            label={`Delete ${target.name}`}
            title={`Delete target ${target.name}?`}
            consequence={
              <p>
                Glidepath forgets {target.name}; its traffic stays as it is on the platform. A target on which releases have run cannot be
                deleted, because their history refers to it.
              </p>
            }
            confirmLabel="Delete target"
            danger
            onConfirm={deleteTarget}
          />
        </div>
      )}
    </article>
  );
}

/** The release holding the target now, if any; refreshed with the live split. */
function useActiveRelease(target: string) {
  const team = useTeam();
  return useQuery({
    queryKey: targetKeys.activeRelease(team.slug, target),
    queryFn: async () => {
      const page = await unwrap(
        api.GET("/api/v1/teams/{team}/releases", { params: { path: { team: team.slug }, query: { target, state: ACTIVE_STATES, limit: 1 } } }),
      );
      return page.releases[0] ?? null;
    },
    refetchInterval: LIVE_REFRESH_MS,
  });
}

function LiveSplit({ target, candidate }: { target: string; candidate: string | undefined }) {
  const team = useTeam();
  const detail = useQuery({
    queryKey: targetKeys.one(team.slug, target),
    queryFn: () => unwrap(api.GET("/api/v1/teams/{team}/targets/{target}", { params: { path: { team: team.slug, target } } })),
    refetchInterval: LIVE_REFRESH_MS,
  });
  if (detail.isPending) return <span className="muted" role="status">Reading the split from the platform…</span>;
  if (detail.error) return <ErrorNotice error={detail.error} />;
  const { liveSplit, liveSplitError } = detail.data;
  if (!liveSplit) {
    return (
      <p className="notice notice-warn small">
        The platform’s split could not be read: {liveSplitError ?? "no reason given"}. Trying again every {LIVE_REFRESH_MS / 1000} seconds.
      </p>
    );
  }
  return <SplitBar split={liveSplit} candidate={candidate} />;
}

function ActiveRelease({ query }: { query: ReturnType<typeof useActiveRelease> }) {
  const team = useTeam();
  if (query.isPending) return <span className="muted">…</span>;
  if (query.error) return <ErrorNotice error={query.error} />;
  const release = query.data;
  if (!release) return <span className="muted">None running</span>;
  return (
    <span className="target-release">
      <Link to={`/t/${team.slug}/releases/${release.id}`}>{release.name}</Link>{" "}
      <span className={`badge badge-${release.state}`}>{stateLabel(release.state)}</span>
      {release.stage && (
        <span className="muted small">
          {" "}
          stage {release.stage.index + 1} of {release.stage.count}
        </span>
      )}
    </span>
  );
}

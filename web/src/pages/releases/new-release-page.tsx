import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRef, useState, type FormEvent } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { parsePlan, PlanError } from "../../../../src/core/plan";
import { api, ApiProblem, unwrap, type Schemas } from "../../api/client";
import type { paths } from "../../api/schema";
import { ConfirmDialog } from "../../components/confirm-dialog";
import { ErrorNotice } from "../../components/error-notice";
import { PageHeader } from "../../components/layout";
import { SplitBar } from "../../components/split-bar";
import { useTeam } from "../../session/session";
import { summarizePlan, usePlans, type StoredPlan } from "../plans/plan-data";
import "./new-release.css";

type Target = Schemas["Target"];
type NewRelease = paths["/api/v1/teams/{team}/releases"]["post"]["requestBody"]["content"]["application/json"];

/** The states in which a release holds its target: at most one per target at a time. */
const ACTIVE_STATES = "pending,running,awaiting_approval,paused";

/** How often the live split and the release holding the target are read again while the form is open. */
const LIVE_REFRESH_MS = 10_000;

const keys = {
  targets: (team: string) => ["teams", team, "targets"] as const,
  target: (team: string, target: string) => ["teams", team, "targets", target] as const,
  versions: (team: string, target: string) => ["teams", team, "targets", target, "versions"] as const,
  activeRelease: (team: string, target: string) => ["teams", team, "targets", target, "active-release"] as const,
};

export function NewReleasePage() {
  const team = useTeam();
  if (!team.can("deployer")) {
    return (
      <>
        <PageHeader title="New release" />
        <p className="notice notice-warn">
          Your role in this team is {team.role}: you cannot create releases. Deployers and admins can; ask an admin of the team if you need to. <Link to={`/t/${team.slug}/releases`}>Back to the releases</Link>
        </p>
      </>
    );
  }
  return (
    <>
      <PageHeader title="New release">
        <p className="muted">Roll a new version out on a target, stage by stage, under a plan that rolls it back when its SLOs fail.</p>
      </PageHeader>
      <NewReleaseLoader />
    </>
  );
}

function NewReleaseLoader() {
  const team = useTeam();
  const targets = useQuery({
    queryKey: keys.targets(team.slug),
    queryFn: () => unwrap(api.GET("/api/v1/teams/{team}/targets", { params: { path: { team: team.slug } } })),
  });
  const plans = usePlans(team.slug);
  if (targets.isPending || plans.isPending) {
    return (
      <p className="muted" role="status">
        Loading the targets and plans…
      </p>
    );
  }
  if (targets.error || plans.error) return <ErrorNotice error={targets.error ?? plans.error} />;
  if (targets.data.targets.length === 0) {
    return (
      <div className="card">
        <h2>No targets yet</h2>
        <p>A release rolls a version out on a target, such as a Cloudflare Worker or a local proxy.</p>
        {team.can("admin") ? (
          <Link to={`/t/${team.slug}/targets/new`} className="button primary">
            Connect a target
          </Link>
        ) : (
          <p className="muted">Ask an admin of the team to connect one.</p>
        )}
      </div>
    );
  }
  return <NewReleaseForm targets={targets.data.targets} plans={plans.data.plans} />;
}

function NewReleaseForm({ targets, plans }: { targets: Target[]; plans: StoredPlan[] }) {
  const team = useTeam();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [params] = useSearchParams();
  const [targetName, setTargetName] = useState(() => targets.find((target) => target.name === params.get("target"))?.name ?? (targets.length === 1 ? targets[0]!.name : ""));
  const [candidate, setCandidate] = useState("");
  const [chosenStable, setChosenStable] = useState<string>();
  const [chosenPlan, setChosenPlan] = useState<string>();
  const [name, setName] = useState("");
  const [startNow, setStartNow] = useState(true);
  const [adopt, setAdopt] = useState(false);
  const idempotency = useRef<{ body: string; key: string }>(undefined);

  const target = targets.find((each) => each.name === targetName);
  const live = useTargetLive(targetName);
  const liveSplit = live.detail.data?.liveSplit ?? null;
  const serving = liveSplit?.filter((part) => part.percent > 0) ?? [];
  const liveStable = serving.length === 1 ? serving[0]!.version : undefined;
  const stable = chosenStable ?? liveStable ?? "";
  const planName = chosenPlan ?? target?.defaultPlan ?? "standard";
  const plan = plans.find((each) => each.name === planName);
  const splitInFlight = serving.length > 1;

  const create = useMutation({
    mutationFn: (body: NewRelease) =>
      unwrap(api.POST("/api/v1/teams/{team}/releases", { params: { path: { team: team.slug }, header: { "idempotency-key": keyFor(body) } }, body })),
    onSuccess: async (release) => {
      await queryClient.invalidateQueries({ queryKey: ["teams", team.slug, "releases"] });
      await queryClient.invalidateQueries({ queryKey: keys.activeRelease(team.slug, targetName) });
      navigate(`/t/${team.slug}/releases/${release.id}`);
    },
    onError: (error) => {
      if (error instanceof ApiProblem && error.status === 409) void live.activeRelease.refetch();
    },
  });

  /** The same request again (a double submit, a retry) reuses its key, so the server creates one release. */
  function keyFor(body: NewRelease): string {
    const text = JSON.stringify(body);
    if (idempotency.current?.body !== text) idempotency.current = { body: text, key: crypto.randomUUID() };
    return idempotency.current.key;
  }

  const chooseTarget = (next: string) => {
    setTargetName(next);
    setCandidate("");
    setChosenStable(undefined);
    setChosenPlan(undefined);
    setAdopt(false);
    create.reset();
  };

  const sameVersions = candidate !== "" && candidate === stable;
  const ready = target !== undefined && candidate !== "" && !sameVersions && !create.isPending;
  const body: NewRelease = {
    target: targetName,
    candidate,
    ...(stable && { stable }),
    plan: planName,
    ...(name.trim() && { name: name.trim() }),
    autoStart: startNow,
    ...(adopt && splitInFlight && { adopt }),
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (ready && !startNow) create.mutate(body);
  };

  const active = live.activeRelease.data;
  const firstPercent = firstStagePercent(plan);
  return (
    <div className="new-release">
      {/* The actions sit outside the form: the confirmation dialog holds a form of its own, and forms cannot nest. */}
      <form id="new-release-form" className="new-release" onSubmit={submit} noValidate aria-label="New release">
        <div className="card new-release-section">
          <label className="field">
            <span>Target</span>
            <select value={targetName} onChange={(event) => chooseTarget(event.target.value)} required>
              <option value="" disabled>
                Choose a target
              </option>
              {targets.map((each) => (
                <option key={each.name} value={each.name}>
                  {each.name} ({each.platform === "cloudflare" ? "Cloudflare" : "local proxy"})
                </option>
              ))}
            </select>
          </label>
          {target && <LiveState detail={live.detail} candidate={candidate} />}
          {active && (
            <p className="notice notice-warn">
              Release <Link to={`/t/${team.slug}/releases/${active.id}`}>{active.name}</Link> is in progress on {targetName}; a new release can be created once it has ended.
            </p>
          )}
        </div>

        {target && (
          <div className="card new-release-section">
            <VersionFields
              versions={live.versions}
              candidate={candidate}
              stable={stable}
              liveStable={liveStable}
              sameVersions={sameVersions}
              onCandidate={(next) => {
                setCandidate(next);
                create.reset();
              }}
              onStable={(next) => {
                setChosenStable(next);
                create.reset();
              }}
            />
            {splitInFlight && (
              <div className="new-release-check">
                <input id="adopt" type="checkbox" checked={adopt} onChange={(event) => setAdopt(event.target.checked)} aria-describedby="adopt-hint" />
                <label htmlFor="adopt">Adopt the split in flight</label>
                <span id="adopt-hint" className="field-hint">
                  Traffic is split now. Adopting takes over that split between the same two versions instead of refusing to start.
                </span>
              </div>
            )}
          </div>
        )}

        {target && (
          <div className="card new-release-section">
            <div className="field">
              <label htmlFor="new-release-plan">Plan</label>
              <select id="new-release-plan" value={planName} onChange={(event) => setChosenPlan(event.target.value)} aria-describedby="plan-summary">
                <PlanOptions plans={plans} defaultPlan={target.defaultPlan} builtIn={false} />
                <PlanOptions plans={plans} defaultPlan={target.defaultPlan} builtIn />
              </select>
              <PlanSummary plan={plan} />
            </div>
            <div className="field">
              <label htmlFor="new-release-name">Name</label>
              <input id="new-release-name" value={name} maxLength={200} placeholder={`${targetName} ${candidate || "<candidate>"}`} onChange={(event) => setName(event.target.value)} aria-describedby="name-hint" />
              <span id="name-hint" className="field-hint">
                Optional. By default the target and the candidate, “{targetName} {candidate || "<candidate>"}”.
              </span>
            </div>
            <fieldset className="new-release-start">
              <legend>When created</legend>
              <div className="new-release-check">
                <input id="start-now" type="radio" name="start" checked={startNow} onChange={() => setStartNow(true)} aria-describedby="start-now-hint" />
                <label htmlFor="start-now">Start now</label>
                <span id="start-now-hint" className="field-hint">
                  {firstPercent === undefined ? "Traffic starts moving at once." : `${firstPercent}% of the traffic moves to the candidate at once.`}
                </span>
              </div>
              <div className="new-release-check">
                <input id="leave-pending" type="radio" name="start" checked={!startNow} onChange={() => setStartNow(false)} aria-describedby="leave-pending-hint" />
                <label htmlFor="leave-pending">Leave pending</label>
                <span id="leave-pending-hint" className="field-hint">
                  No traffic moves until someone starts it from the release’s page.
                </span>
              </div>
            </fieldset>
          </div>
        )}
      </form>
      <ErrorNotice error={create.error} title="Release not created" />
      {create.error instanceof ApiProblem && create.error.status === 409 && active && (
        <p>
          <Link to={`/t/${team.slug}/releases/${active.id}`} className="button">
            Open release {active.name}
          </Link>
        </p>
      )}
      <div className="new-release-actions">
        {startNow ? (
            <ConfirmDialog
              label="Create release"
              title={`Start rolling out ${candidate}?`}
              consequence={
                <p>
                  {firstPercent === undefined ? "Traffic" : `${firstPercent}% of the traffic`} on {targetName} moves from {stable || "the stable version"} to {candidate} as soon as the release is created, then on through
                  the stages of plan {planName}. Failing SLOs roll it back.
                </p>
              }
              confirmLabel="Create and start"
              disabled={!ready}
              onConfirm={() => create.mutateAsync(body).catch(() => undefined)}
              opener="primary"
            />
        ) : (
          <button type="submit" form="new-release-form" className="button primary" disabled={!ready}>
            {create.isPending ? "Creating…" : "Create release"}
          </button>
        )}
        {!ready && !create.isPending && <span className="muted small">{target ? "Choose the candidate version to roll out." : "Choose a target first."}</span>}
      </div>
    </div>
  );
}

/** The target's live split, its versions on the platform, and the release holding it, if any. */
function useTargetLive(targetName: string) {
  const team = useTeam();
  const enabled = targetName !== "";
  const path = { team: team.slug, target: targetName };
  return {
    detail: useQuery({
      queryKey: keys.target(team.slug, targetName),
      queryFn: () => unwrap(api.GET("/api/v1/teams/{team}/targets/{target}", { params: { path } })),
      enabled,
      refetchInterval: LIVE_REFRESH_MS,
    }),
    versions: useQuery({
      queryKey: keys.versions(team.slug, targetName),
      queryFn: () => unwrap(api.GET("/api/v1/teams/{team}/targets/{target}/versions", { params: { path } })),
      enabled,
    }),
    activeRelease: useQuery({
      queryKey: keys.activeRelease(team.slug, targetName),
      queryFn: async () => {
        const page = await unwrap(api.GET("/api/v1/teams/{team}/releases", { params: { path: { team: team.slug }, query: { target: targetName, state: ACTIVE_STATES, limit: 1 } } }));
        return page.releases[0] ?? null;
      },
      enabled,
      refetchInterval: LIVE_REFRESH_MS,
    }),
  };
}

type TargetLive = ReturnType<typeof useTargetLive>;

function LiveState({ detail, candidate }: { detail: TargetLive["detail"]; candidate: string }) {
  if (detail.isPending) {
    return (
      <p className="muted small" role="status">
        Reading the live split from the platform…
      </p>
    );
  }
  if (detail.error) return <ErrorNotice error={detail.error} />;
  const { liveSplit, liveSplitError } = detail.data;
  if (!liveSplit) return <p className="notice notice-warn small">The platform’s split could not be read: {liveSplitError ?? "no reason given"}.</p>;
  return (
    <div className="new-release-live">
      <span className="muted small">Serving now</span>
      <SplitBar split={liveSplit} candidate={candidate || undefined} />
    </div>
  );
}

interface VersionFieldsProps {
  versions: TargetLive["versions"];
  candidate: string;
  stable: string;
  liveStable: string | undefined;
  sameVersions: boolean;
  onCandidate(version: string): void;
  onStable(version: string): void;
}

function VersionFields({ versions, candidate, stable, liveStable, sameVersions, onCandidate, onStable }: VersionFieldsProps) {
  if (versions.isPending) {
    return (
      <p className="muted" role="status">
        Listing the target’s versions on its platform…
      </p>
    );
  }
  if (versions.error) return <ErrorNotice error={versions.error} title="The versions could not be listed" />;
  const list = versions.data.versions;
  if (list.length === 0) return <p className="notice notice-warn">The platform has no versions of this target yet. Deploy one, then come back.</p>;
  const option = (version: Schemas["Version"]) => (
    <option key={version.id} value={version.id}>
      {version.id}
      {version.id === liveStable ? " (serving now)" : ""}
      {version.description ? ` — ${version.description.slice(0, 80)}` : ""}
    </option>
  );
  return (
    <div className="new-release-versions">
      <div className="field">
        <label htmlFor="new-release-candidate">Candidate version</label>
        <select id="new-release-candidate" value={candidate} onChange={(event) => onCandidate(event.target.value)} required aria-invalid={sameVersions || undefined} aria-describedby={sameVersions ? "versions-error" : undefined}>
          <option value="" disabled>
            Choose the version to roll out
          </option>
          {list.map(option)}
        </select>
        {sameVersions && (
          <span id="versions-error" className="field-error">
            the stable and candidate versions must differ
          </span>
        )}
      </div>
      <div className="field">
        <label htmlFor="new-release-stable">Stable version</label>
        <select id="new-release-stable" value={stable} onChange={(event) => onStable(event.target.value)} aria-describedby="stable-hint">
          {!liveStable && <option value="">The version with all the traffic</option>}
          {list.map(option)}
        </select>
        <span id="stable-hint" className="field-hint">
          The version serving now, which the candidate is compared with and which gets the traffic back on a rollback.
        </span>
      </div>
    </div>
  );
}

function PlanOptions({ plans, defaultPlan, builtIn }: { plans: StoredPlan[]; defaultPlan: string | null; builtIn: boolean }) {
  const group = plans.filter((plan) => plan.builtIn === builtIn);
  if (group.length === 0) return null;
  return (
    <optgroup label={builtIn ? "Built-in plans" : "Team plans"}>
      {group.map((plan) => (
        <option key={plan.name} value={plan.name}>
          {plan.name}
          {plan.name === defaultPlan ? " (target default)" : ""}
        </option>
      ))}
    </optgroup>
  );
}

function PlanSummary({ plan }: { plan: StoredPlan | undefined }) {
  const team = useTeam();
  if (!plan) return null;
  const summary = summarizePlan(plan.document);
  return (
    <span id="plan-summary" className="field-hint">
      {summary instanceof PlanError ? (
        `This plan is no longer valid: ${summary.message}`
      ) : (
        <>
          {summary.stages}, {summary.totalSoak} of soak in all, {summary.slos === 1 ? "1 SLO" : `${summary.slos} SLOs`}
          {summary.manualStages > 0 && `, ${summary.manualStages} manual`}.{" "}
        </>
      )}
      <Link to={`/t/${team.slug}/plans/${plan.name}`}>View plan {plan.name}</Link>
    </span>
  );
}

function firstStagePercent(plan: StoredPlan | undefined): number | undefined {
  if (!plan) return undefined;
  const parsed = parsePlan(plan.document);
  return parsed instanceof PlanError ? undefined : parsed.stages[0]?.percent;
}

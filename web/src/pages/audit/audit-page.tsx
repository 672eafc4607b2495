import { useInfiniteQuery } from "@tanstack/react-query";
import { Link, useSearchParams } from "react-router";
import { api, unwrap, type Schemas } from "../../api/client";
import { ErrorNotice } from "../../components/error-notice";
import { PageHeader } from "../../components/layout";
import { formatDateTime } from "../../format";
import { useTeam } from "../../session/session";
import { AuditFilters, auditQuery, isFiltered } from "./audit-filters";
import "./audit.css";

type Entry = Schemas["AuditEntry"];

export function AuditPage() {
  const team = useTeam();
  const [params, setParams] = useSearchParams();
  const query = auditQuery(params);
  const entries = useInfiniteQuery({
    queryKey: ["teams", team.slug, "audit", query],
    initialPageParam: query.before,
    queryFn: ({ pageParam }) =>
      unwrap(api.GET("/api/v1/teams/{team}/audit", { params: { path: { team: team.slug }, query: { ...query, before: pageParam } } })),
    getNextPageParam: (page) => page.nextBefore ?? undefined,
  });
  const rows = entries.data?.pages.flatMap((page) => page.entries) ?? [];

  return (
    <>
      <PageHeader title="Audit log">
        <p className="muted">Who changed what in {team.name}, when and from where; newest first. Entries are never changed or removed.</p>
      </PageHeader>
      <AuditFilters params={params} setParams={setParams} />
      {entries.isPending && <p role="status">Loading the audit log…</p>}
      <ErrorNotice error={entries.error} title="The audit log could not be read" />
      {entries.isSuccess && rows.length === 0 && (
        <p className="card">
          {isFiltered(params)
            ? "No entry matches these filters. Clear them to see the whole log."
            : "Nothing recorded yet. Changes to members, tokens, connections, targets, plans and releases will appear here."}
        </p>
      )}
      {rows.length > 0 && (
        <div className="table-wrap">
          <table className="audit-table">
            <caption className="visually-hidden">Audit log entries, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Actor</th>
                <th scope="col">Action</th>
                <th scope="col">Subject</th>
                <th scope="col">Details</th>
                <th scope="col">From</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((entry) => (
                <AuditRow key={entry.id} entry={entry} team={team.slug} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {entries.hasNextPage && (
        <p className="audit-load-more">
          <button type="button" className="button" onClick={() => void entries.fetchNextPage()} disabled={entries.isFetchingNextPage}>
            {entries.isFetchingNextPage ? "Loading…" : "Load more"}
          </button>
        </p>
      )}
    </>
  );
}

function AuditRow({ entry, team }: { entry: Entry; team: string }) {
  return (
    <tr>
      <td className="audit-time">
        <time dateTime={entry.at}>{formatDateTime(entry.at)}</time>
      </td>
      <td>
        {entry.actor}
        {entry.actorType !== "user" && !entry.actor.startsWith(entry.actorType) && <span className="muted small"> ({entry.actorType})</span>}
      </td>
      <td>
        <code>{entry.action}</code>
      </td>
      <td>
        <Subject entry={entry} team={team} />
      </td>
      <td className="audit-details">
        <Details details={entry.details} />
      </td>
      <td className="muted small">{entry.sourceAddress ?? "—"}</td>
    </tr>
  );
}

/** The object acted on, by the name it had then; releases link to their page. */
function Subject({ entry, team }: { entry: Entry; team: string }) {
  const { name, email, target } = entry.details;
  const label = typeof name === "string" ? name : typeof email === "string" ? email : entry.objectId?.slice(0, 8);
  if (entry.objectType === "release" && entry.objectId) {
    return (
      <>
        release <Link to={`/t/${team}/releases/${entry.objectId}`}>{entry.objectId.slice(0, 8)}</Link>
        {typeof target === "string" && <span className="muted"> on {target}</span>}
      </>
    );
  }
  return (
    <>
      {entry.objectType} {label && <strong title={entry.objectId ?? undefined}>{label}</strong>}
    </>
  );
}

function Details({ details }: { details: Record<string, unknown> }) {
  const fields = Object.entries(details).filter(([, value]) => !isEmpty(value));
  if (fields.length === 0) return <span className="muted">—</span>;
  return (
    <ul className="audit-fields">
      {fields.map(([key, value]) => (
        <li key={key}>
          <span className="muted">{key}:</span> <code>{typeof value === "string" ? value : JSON.stringify(value)}</code>
        </li>
      ))}
    </ul>
  );
}

function isEmpty(value: unknown): boolean {
  return value === null || value === undefined || (typeof value === "object" && Object.keys(value).length === 0);
}

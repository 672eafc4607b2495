import type { FormEvent } from "react";
import type { SetURLSearchParams } from "react-router";
import { toLocalInput } from "../releases/history-filters";

/** The actions the server records, offered as suggestions; any other text is still a valid filter. */
const KNOWN_ACTIONS = [
  "release.create",
  "release.start",
  "release.approve",
  "release.deny",
  "release.pause",
  "release.resume",
  "release.promote",
  "release.cancel",
  "release.rollback",
  "target.create",
  "target.update",
  "target.delete",
  "connection.create",
  "connection.update",
  "connection.delete",
  "plan.create",
  "plan.update",
  "plan.delete",
  "channel.create",
  "channel.update",
  "channel.delete",
  "channel.test",
  "member.add",
  "member.update",
  "member.remove",
  "token.create",
  "token.revoke",
  "team.create",
  "team.update",
  "user.password_change",
  "setup.complete",
];

const TEXT_FILTERS = ["actor", "action"] as const;
const TIME_FILTERS = ["since", "until"] as const;
/** Set by links from other pages (e.g. one release's entries), not by the form. */
const OBJECT_FILTERS = ["objectType", "objectId"] as const;
const ALL_FILTERS = [...TEXT_FILTERS, ...TIME_FILTERS, ...OBJECT_FILTERS, "before"];

export function auditQuery(params: URLSearchParams) {
  const get = (name: string) => params.get(name) || undefined;
  const limit = Number(params.get("limit"));
  const before = Number(params.get("before"));
  return {
    actor: get("actor"),
    action: get("action"),
    objectType: get("objectType"),
    objectId: get("objectId"),
    since: get("since"),
    until: get("until"),
    limit: Number.isInteger(limit) && limit > 0 ? limit : undefined,
    before: Number.isInteger(before) && before > 0 ? before : undefined,
  };
}

export function isFiltered(params: URLSearchParams): boolean {
  return ALL_FILTERS.some((name) => params.get(name));
}

/**
 * Typed filters apply on "Apply filters" (or Enter), not per keystroke. The form is rebuilt when
 * the address changes, so going back in the browser shows the filters of that view.
 */
export function AuditFilters({ params, setParams }: { params: URLSearchParams; setParams: SetURLSearchParams }) {
  const apply = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setParams((previous) => {
      const next = new URLSearchParams(previous);
      next.delete("before");
      for (const name of TEXT_FILTERS) setOrDelete(next, name, String(form.get(name) ?? "").trim());
      for (const name of TIME_FILTERS) {
        const local = String(form.get(name) ?? "");
        setOrDelete(next, name, local ? new Date(local).toISOString() : "");
      }
      return next;
    });
  };
  const clear = () =>
    setParams((previous) => {
      const next = new URLSearchParams(previous);
      for (const name of ALL_FILTERS) next.delete(name);
      return next;
    });
  const objectType = params.get("objectType");
  const objectId = params.get("objectId");

  return (
    <>
      {(objectType || objectId) && (
        <p className="notice notice-warn">
          Showing only the entries about {objectType ?? "object"} {objectId && <code>{objectId}</code>}.
        </p>
      )}
      <form key={params.toString()} className="filters" aria-label="Filter the audit log" onSubmit={apply}>
        <label className="field">
          <span>Actor</span>
          <input name="actor" defaultValue={params.get("actor") ?? ""} placeholder="email or token name" autoComplete="off" />
        </label>
        <label className="field">
          <span>Action</span>
          <input name="action" defaultValue={params.get("action") ?? ""} list="audit-actions" placeholder="release.approve" autoComplete="off" />
          <datalist id="audit-actions">
            {KNOWN_ACTIONS.map((action) => (
              <option key={action} value={action} />
            ))}
          </datalist>
        </label>
        <label className="field">
          <span>Since</span>
          <input name="since" type="datetime-local" defaultValue={toLocalInput(params.get("since"))} />
        </label>
        <label className="field">
          <span>Until</span>
          <input name="until" type="datetime-local" defaultValue={toLocalInput(params.get("until"))} />
        </label>
        <button type="submit" className="button primary">
          Apply filters
        </button>
        {isFiltered(params) && (
          <button type="button" className="button" onClick={clear}>
            Clear filters
          </button>
        )}
      </form>
    </>
  );
}

function setOrDelete(params: URLSearchParams, name: string, value: string) {
  if (value) params.set(name, value);
  else params.delete(name);
}

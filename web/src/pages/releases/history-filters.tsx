import type { SetURLSearchParams } from "react-router";
import type { ReleaseState } from "../../../../src/core/release";
import { stateLabel } from "../../format";

/** The states in which a release still holds its target. */
export const ACTIVE_STATES: readonly ReleaseState[] = ["pending", "running", "awaiting_approval", "paused"];
const ENDED_STATES: readonly ReleaseState[] = ["succeeded", "rolled_back", "cancelled", "failed"];

const STATE_CHOICES: { value: string; label: string }[] = [
  { value: ACTIVE_STATES.join(","), label: "Active" },
  { value: ENDED_STATES.join(","), label: "Ended" },
  ...[...ACTIVE_STATES, ...ENDED_STATES].map((state) => ({ value: state, label: stateLabel(state) })),
];

const FILTER_NAMES = ["target", "state", "since", "until"] as const;

/** The list's query as the URL says it, so a filtered view can be shared by its address. */
export function historyQuery(params: URLSearchParams) {
  const limit = Number(params.get("limit"));
  return {
    target: params.get("target") || undefined,
    state: params.get("state") || undefined,
    since: params.get("since") || undefined,
    until: params.get("until") || undefined,
    limit: Number.isInteger(limit) && limit > 0 ? limit : undefined,
    before: params.get("before") || undefined,
  };
}

export function isFiltered(params: URLSearchParams): boolean {
  return FILTER_NAMES.some((name) => params.get(name)) || params.has("before");
}

export function HistoryFilters({ params, setParams, targets }: { params: URLSearchParams; setParams: SetURLSearchParams; targets: string[] }) {
  const change = (name: (typeof FILTER_NAMES)[number], value: string) =>
    setParams(
      (previous) => {
        const next = new URLSearchParams(previous);
        if (value) next.set(name, value);
        else next.delete(name);
        // A page cursor belongs to the filters it was found under.
        next.delete("before");
        return next;
      },
      { replace: true },
    );
  const target = params.get("target") ?? "";
  const state = params.get("state") ?? "";
  const stateChoices = state && !STATE_CHOICES.some((choice) => choice.value === state) ? [...STATE_CHOICES, { value: state, label: state }] : STATE_CHOICES;
  const targetChoices = target && !targets.includes(target) ? [...targets, target] : targets;

  return (
    <form className="filters" aria-label="Filter releases" onSubmit={(event) => event.preventDefault()}>
      <label className="field">
        <span>Target</span>
        <select value={target} onChange={(event) => change("target", event.target.value)}>
          <option value="">All targets</option>
          {targetChoices.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span>State</span>
        <select value={state} onChange={(event) => change("state", event.target.value)}>
          <option value="">Any state</option>
          {stateChoices.map((choice) => (
            <option key={choice.value} value={choice.value}>
              {choice.label}
            </option>
          ))}
        </select>
      </label>
      <TimeFilter label="Since" value={params.get("since")} onChange={(value) => change("since", value)} />
      <TimeFilter label="Until" value={params.get("until")} onChange={(value) => change("until", value)} />
      {isFiltered(params) && (
        <button
          type="button"
          className="button"
          onClick={() =>
            setParams((previous) => {
              const next = new URLSearchParams(previous);
              for (const name of [...FILTER_NAMES, "before"]) next.delete(name);
              return next;
            })
          }
        >
          Clear filters
        </button>
      )}
    </form>
  );
}

/** A local date and time in the input, an ISO instant in the URL and the query. */
function TimeFilter({ label, value, onChange }: { label: string; value: string | null; onChange(iso: string): void }) {
  return (
    <label className="field">
      <span>{label}</span>
      <input
        type="datetime-local"
        value={toLocalInput(value)}
        onChange={(event) => onChange(event.target.value ? new Date(event.target.value).toISOString() : "")}
      />
    </label>
  );
}

/** An ISO instant as the value of a datetime-local input, in the browser's zone. */
export function toLocalInput(iso: string | null): string {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

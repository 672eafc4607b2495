import type { ReleaseState } from "../../src/core/release";

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });

export function formatDateTime(iso: string | null | undefined): string {
  return iso ? dateTime.format(new Date(iso)) : "—";
}

/** "3 minutes ago", "in 20 seconds". */
export function formatRelative(iso: string, now = Date.now()): string {
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 60) return relative.format(seconds, "second");
  if (abs < 3600) return relative.format(Math.round(seconds / 60), "minute");
  if (abs < 86_400) return relative.format(Math.round(seconds / 3600), "hour");
  return relative.format(Math.round(seconds / 86_400), "day");
}

/** 90 -> "1m 30s", 3600 -> "1h", 0 -> "0s". */
export function formatDuration(totalSeconds: number): string {
  const seconds = Math.max(0, Math.round(totalSeconds));
  const parts: string[] = [];
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h) parts.push(`${h}h`);
  if (m) parts.push(`${m}m`);
  if (s || parts.length === 0) parts.push(`${s}s`);
  return parts.join(" ");
}

const STATE_LABELS: Record<ReleaseState, string> = {
  pending: "Pending",
  running: "Running",
  paused: "Paused",
  awaiting_approval: "Awaiting approval",
  succeeded: "Promoted",
  rolled_back: "Rolled back",
  cancelled: "Cancelled",
  failed: "Failed",
};

export function stateLabel(state: ReleaseState): string {
  return STATE_LABELS[state];
}

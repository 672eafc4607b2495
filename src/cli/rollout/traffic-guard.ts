import type { Release } from "../../core/release.js";
import { onStopSignal } from "../stop-signal.js";

/** Why a release was cancelled before its clean end, once it was. */
export type AbnormalStop = { kind: "signal"; signal: NodeJS.Signals } | { kind: "crash"; error: unknown };

export interface TrafficGuard {
  /** What cancelled the release, if anything did. */
  readonly stoppedBy: AbnormalStop | undefined;
  /** Cancels the release for an error thrown where it is driven; resolves once the cancel is recorded. */
  fail(error: unknown): Promise<void>;
  /** Stops listening: the release has ended. */
  stop(): void;
}

/**
 * A foreground rollout is never the only thing between a bad candidate and users: while it drives
 * a release, every way out of the process that it can catch (SIGINT, SIGTERM, SIGHUP, an uncaught
 * exception, an unhandled rejection, an error of its own driver) first cancels the release, which
 * puts the split back to 100% stable once the release's driver settles it. Each is said through
 * `say`. A second Ctrl-C ends the process at once, in case putting the split back hangs.
 */
export function guardTraffic(release: Release, cancel: (reason: string) => Promise<void>, say: (line: string) => void): TrafficGuard {
  let stoppedBy: AbnormalStop | undefined;
  let cancelling: Promise<void> | undefined;
  const stop = (cause: AbnormalStop, why: string, reason: string): Promise<void> => {
    say(`${why}: cancelling release ${release.name}, which puts 100% of traffic back on ${release.stable}`);
    if (cancelling) return cancelling;
    stoppedBy = cause;
    cancelling = cancel(reason).catch((error: unknown) => say(`could not cancel release ${release.name}: ${messageOf(error)}`));
    return cancelling;
  };
  const crash = (error: unknown) => stop({ kind: "crash", error }, `internal error: ${messageOf(error)}`, `glidepath stopped on an internal error (${messageOf(error)})`);
  const onCrash = (error: unknown) => void crash(error);
  const stopSignals = onStopSignal((signal) => void stop({ kind: "signal", signal }, signal, `cancelled by ${signal}`));
  process.on("uncaughtException", onCrash);
  process.on("unhandledRejection", onCrash);
  return {
    get stoppedBy() {
      return stoppedBy;
    },
    fail: crash,
    stop() {
      stopSignals();
      process.off("uncaughtException", onCrash);
      process.off("unhandledRejection", onCrash);
    },
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

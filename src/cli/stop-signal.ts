/** The signals that ask a command to stop: Ctrl-C, `kill`, and the terminal or SSH session going away. */
const STOP_SIGNALS: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];

/**
 * Calls onStop at the first SIGINT, SIGTERM or SIGHUP, then stops listening, so a second Ctrl-C
 * ends the process at once if stopping hangs. Returns a function that stops listening earlier.
 */
export function onStopSignal(onStop: (signal: NodeJS.Signals) => void): () => void {
  let stopped = false;
  const stopListening = () => {
    for (const signal of STOP_SIGNALS) process.off(signal, handle);
  };
  const handle = (signal: NodeJS.Signals) => {
    if (stopped) return;
    stopped = true;
    // Not while this signal is being handed out: signal-exit (under log-update, on a terminal)
    // ends the process when it finds itself the only listener left.
    setImmediate(stopListening);
    onStop(signal);
  };
  for (const signal of STOP_SIGNALS) process.on(signal, handle);
  return stopListening;
}

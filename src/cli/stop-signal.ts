/**
 * Calls onStop at the first SIGINT or SIGTERM, then stops listening, so a second Ctrl-C ends the
 * process at once if stopping hangs. Returns a function that stops listening earlier.
 */
export function onStopSignal(onStop: (signal: NodeJS.Signals) => void): () => void {
  let stopped = false;
  const stopListening = () => {
    process.off("SIGINT", handle);
    process.off("SIGTERM", handle);
  };
  const handle = (signal: NodeJS.Signals) => {
    if (stopped) return;
    stopped = true;
    // Not while this signal is being handed out: signal-exit (under log-update, on a terminal)
    // ends the process when it finds itself the only listener left.
    setImmediate(stopListening);
    onStop(signal);
  };
  process.on("SIGINT", handle);
  process.on("SIGTERM", handle);
  return stopListening;
}

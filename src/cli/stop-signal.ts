/**
 * Calls onStop at the first SIGINT or SIGTERM, then stops listening, so a second Ctrl-C ends the
 * process at once if stopping hangs. Returns a function that stops listening earlier.
 */
export function onStopSignal(onStop: (signal: NodeJS.Signals) => void): () => void {
  const stopListening = () => {
    process.off("SIGINT", handle);
    process.off("SIGTERM", handle);
  };
  const handle = (signal: NodeJS.Signals) => {
    stopListening();
    onStop(signal);
  };
  process.on("SIGINT", handle);
  process.on("SIGTERM", handle);
  return stopListening;
}

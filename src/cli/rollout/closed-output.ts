let listening = false;

/**
 * A reader that goes away (`| head`, a closed log pipe) makes writes to standard output fail with
 * EPIPE, or the process receive SIGPIPE; either, unhandled, would end the process with the release
 * half done. Output stops instead, said once on standard error, and the release goes on to its
 * end: its outcome is the exit code. The listeners stay for the life of the process, since the
 * error of a last write comes after the write returns.
 */
export function carryOnWhenStdoutCloses(say: (line: string) => void): void {
  if (listening) return;
  listening = true;
  let closed = false;
  const onClosed = (cause: string) => {
    if (closed) return;
    closed = true;
    say(`standard output is closed (${cause}); the release goes on without output, and its outcome is the exit code`);
  };
  process.stdout.on("error", (error: NodeJS.ErrnoException) => onClosed(error.code ?? error.message));
  process.on("SIGPIPE", () => onClosed("SIGPIPE"));
}

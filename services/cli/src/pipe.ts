/**
 * `crosswalk controls ... | head -1`: once the reader has what it wants it closes the pipe, and the next write
 * fails with EPIPE, an 'error' event nobody listens to, which Node turns into a crash with a stack trace. A
 * closed stdout means nobody reads what follows, so the CLI stops there, quietly, as a program killed by
 * SIGPIPE would (with the exit code so far, not 141, so `set -o pipefail` scripts are not failed by `head`).
 * Any other stream error is still reported.
 */
export function quietOnClosedPipe(streams: NodeJS.WriteStream[] = [process.stdout, process.stderr]): void {
  for (const stream of streams) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
      throw error;
    });
  }
}

/**
 * A reader that stops reading (`pretrain-lab train --help | head -1`, `run ... --json | head`)
 * closes the pipe; the next write to it fails with EPIPE, which Node raises as an unhandled 'error'
 * event: a stack trace and exit status 1. Command-line tools exit quietly there instead: the reader
 * has what it wanted. We exit with status 0 (not 141, the shell's status for death by SIGPIPE), so
 * that `set -o pipefail` scripts do not fail because a consumer such as `head` stopped early.
 * A `run` stopped this way keeps its finished trials (each record is written atomically) and
 * resumes when re-run, as after Ctrl-C; its workers exit when the IPC channel closes.
 */

/** Exit status when stdout or stderr is a closed pipe. */
export const CLOSED_PIPE_EXIT = 0;

let installed = false;

/**
 * Makes an EPIPE on stdout or stderr end the process quietly with CLOSED_PIPE_EXIT, for every
 * command (installed once by `main`). Any other stream error is rethrown as before.
 */
export function exitQuietlyOnClosedPipe(): void {
  if (installed) return;
  installed = true;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(CLOSED_PIPE_EXIT);
      throw e;
    });
  }
}

/**
 * Interrupts from the kernel (JupyterLab's Kernel > Interrupt, the runner's `--interrupt`), seen by
 * long-running library code such as `Trainer.fit`.
 *
 * Why this is needed: tslab turns SIGINT into a rejected race with the running cell's promise. The
 * cell is reported as interrupted, but JavaScript cannot cancel a promise: the async training loop
 * behind it would go on running in the background, updating weights while the student runs the next
 * cells. So library loops ask `interruptedSince(mark)` at their step boundaries and stop themselves.
 *
 * The listener only cooperates with another SIGINT listener (the kernel's). In a plain Node script,
 * where Node's default for Ctrl-C is to exit, it restores that default: it removes itself and raises
 * the signal again.
 */

let count = 0;
let installed = false;

function onSigint(): void {
  count++;
  if (process.listenerCount('SIGINT') === 1) {
    // Only ours: behave as if we had never listened (Node's default ends the process).
    process.off('SIGINT', onSigint);
    installed = false;
    process.kill(process.pid, 'SIGINT');
  }
}

/** Start counting SIGINTs (idempotent). Called by the code that wants to notice them. */
export function watchInterrupts(): void {
  if (installed) return;
  installed = true;
  // Not now but in a microtask: tslab runs a cell's synchronous part with vm's `breakOnSigint`, and a
  // SIGINT listener added during such a script leaves the process with the default disposition once
  // the script returns, so the next Ctrl-C would kill the kernel (Node 20; checked). A microtask runs
  // after the script has returned.
  queueMicrotask(() => {
    if (installed) process.on('SIGINT', onSigint);
  });
}

/** A mark to compare against later: the number of interrupts seen so far. */
export function interruptMark(): number {
  watchInterrupts();
  return count;
}

/** Whether an interrupt arrived after `mark` was taken. */
export function interruptedSince(mark: number): boolean {
  return count !== mark;
}

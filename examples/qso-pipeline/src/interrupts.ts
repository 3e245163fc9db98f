/**
 * How a run learns it should stop: SIGINT or SIGTERM to this process, or its launcher going away
 * without passing the signal on (pnpm, npx, a wrapper script: this process would be re-parented and
 * run on unseen), which counts as a SIGHUP. The first asks the run to finish the pixels in flight; a
 * second signal exits at once.
 */
export interface Interrupts {
  /** The signal that asked the run to stop, once one has. */
  readonly signal: NodeJS.Signals | undefined;
  /** Stop listening (the run is over). */
  dispose(): void;
}

/**
 * Listen for what ends a run. `parent` is the parent process when the run started (so a launcher
 * that died before this is called is noticed too); `onStop(signal, why)` is called once.
 */
export function watchInterrupts(
  parent: number,
  onStop: (signal: NodeJS.Signals, why: string) => void,
  print: (l: string) => void,
): Interrupts {
  let signal: NodeJS.Signals | undefined;
  const stop = (sig: NodeJS.Signals, why: string = sig) => {
    if (signal) {
      print(`${sig} again: exiting now (temporary files are removed by the next run)`);
      process.exit(sig === 'SIGINT' ? 130 : 143);
    }
    signal = sig;
    onStop(sig, why);
  };
  // Node calls a signal listener with the signal's name and number: take the name only.
  const listeners = { SIGINT: () => stop('SIGINT'), SIGTERM: () => stop('SIGTERM') };
  for (const [sig, f] of Object.entries(listeners)) process.on(sig, f);
  const orphaned = () => {
    if (parent <= 1 || process.ppid === parent) return false;
    clearInterval(watch); // once: a second "signal" would exit at once
    stop('SIGHUP', `the parent process ${parent} is gone`);
    return true;
  };
  const watch = setInterval(orphaned, 100).unref();
  orphaned();
  return {
    get signal() {
      return signal;
    },
    dispose() {
      for (const [sig, f] of Object.entries(listeners)) process.off(sig, f);
      clearInterval(watch);
    },
  };
}

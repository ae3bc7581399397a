// Loaded into the candlelab-serve child of `candlelab serve` (through NODE_OPTIONS=--import) so that
// the server does not outlive the CLI: when the CLI dies without forwarding a signal (SIGKILL, a
// crash, a closed terminal), the child is re-parented, and it then stops itself with SIGTERM —
// the server's clean stop. It takes itself out of the environment first, so processes the server
// starts do not load it.
const parent = Number(process.env.CANDLELAB_SERVE_PARENT);
const preload = process.env.CANDLELAB_SERVE_PRELOAD;
delete process.env.CANDLELAB_SERVE_PARENT;
delete process.env.CANDLELAB_SERVE_PRELOAD;
if (preload && process.env.NODE_OPTIONS !== undefined) {
  const rest = process.env.NODE_OPTIONS.replace(preload, '').trim();
  if (rest === '') delete process.env.NODE_OPTIONS;
  else process.env.NODE_OPTIONS = rest;
}
// Only when the CLI started this process directly (not through a shell or wrapper that stays in between).
if (parent > 0 && process.ppid === parent) {
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    process.kill(process.pid, 'SIGTERM');
  }, 250);
  timer.unref();
}

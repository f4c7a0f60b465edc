/**
 * A one-line progress bar on stderr for long runs (seeding a million residents, imports, exports). On a terminal it
 * redraws in place; elsewhere (CI logs, pipes) it prints at most one line every few seconds. With no total known
 * (an export's rows) it shows the count and the rate only.
 */
export function createProgressBar(label: string, total: number | null, unit: string, stream: NodeJS.WriteStream = process.stderr) {
  const started = Date.now();
  let lastDraw = started;
  const interactive = Boolean(stream.isTTY);
  const format = (done: number) => {
    if (total === null) {
      const seconds = (Date.now() - started) / 1000;
      return `${label} ${done.toLocaleString('en')} ${unit} ${(seconds > 0 ? Math.round(done / seconds) : 0).toLocaleString('en')}/s`;
    }
    const ratio = total > 0 ? Math.min(1, done / total) : 1;
    const width = 28;
    const filled = Math.round(ratio * width);
    const seconds = (Date.now() - started) / 1000;
    const rate = seconds > 0 ? Math.round(done / seconds) : 0;
    return `${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(ratio * 100).toFixed(0).padStart(3)}% ${done.toLocaleString('en')}/${total.toLocaleString('en')} ${unit} ${rate.toLocaleString('en')}/s`;
  };
  return {
    update(done: number) {
      const now = Date.now();
      if (now - lastDraw < (interactive ? 100 : 5000)) return;
      lastDraw = now;
      stream.write(interactive ? `\r${format(done)}` : `${format(done)}\n`);
    },
    finish(done: number) {
      stream.write(`${interactive ? '\r' : ''}${format(done)} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    },
  };
}

// A one-line progress bar on stderr while a capture file is read, shown only on a TTY
// (pipes, cron and CI get clean output).

export class ProgressBar {
  private lastDraw = 0;
  private readonly enabled: boolean;

  constructor(private readonly label: string) {
    this.enabled = process.stderr.isTTY === true;
  }

  update(offset: number, total: number | undefined, packets: number): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const mb = (offset / 1048576).toFixed(1);
    let line: string;
    if (total && total > 0) {
      const frac = Math.min(1, offset / total);
      const width = 30;
      const filled = Math.round(frac * width);
      line = `${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(frac * 100).toFixed(0).padStart(3)}% ${mb} MiB, ${packets.toLocaleString('en-US')} packets`;
    } else line = `${this.label} ${mb} MiB, ${packets.toLocaleString('en-US')} packets`;
    process.stderr.write(`\r${line.slice(0, (process.stderr.columns ?? 100) - 1)}`);
  }

  done(): void {
    if (this.enabled && this.lastDraw > 0) process.stderr.write('\r\x1b[K');
  }
}

// The one way the command line reports a running condition on stderr: `spanwatch: …`.

export function log(message: string): void {
  process.stderr.write(`spanwatch: ${message}\n`);
}

import { cpus, totalmem, type as osType, release } from 'node:os';

/** One line naming the machine a benchmark ran on; figures from different machines are not comparable. */
export function machineLine(): string {
  const cpu = cpus();
  return `${osType()} ${release()}, ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}`;
}

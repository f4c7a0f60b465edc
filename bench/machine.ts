import { cpus, totalmem, type as osType, release } from 'node:os';

/**
 * One line naming the machine a benchmark ran on; figures from different machines are not comparable. It names the
 * node that ran the benchmark and, when the hub's services ran on another (`hubNodes`: a bench that forks them with
 * another binary), the node versions they ran on; without `hubNodes` the services ran on the benchmark's own node.
 */
export function machineLine(hubNodes?: readonly { version: string }[]): string {
  const cpu = cpus();
  const versions = [...new Set((hubNodes ?? []).map((n) => n.version))];
  const hub =
    versions.length === 0 || (versions.length === 1 && versions[0] === process.version)
      ? `Node ${process.version} (the benchmark and the services it starts)`
      : `the benchmark on Node ${process.version}, the hub's services on Node ${versions.join(' and ')}`;
  return `${osType()} ${release()}, ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, ${hub}`;
}

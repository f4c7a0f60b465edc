/**
 * The departments of the hub, each a subgraph with its own service and its own database. The order gives the
 * default ports (4001 upward) and is the order the hub starts them in.
 */
export interface Department {
  /** Subgraph name, as it appears in the supergraph. */
  name: string;
  /** Prefix of this department's environment variables: `<PREFIX>_DATABASE_URL`, `<PREFIX>_URL`, `<PREFIX>_PORT`. */
  envPrefix: string;
  /** Database name on the embedded server. */
  database: string;
  defaultPort: number;
  title: string;
}

export const departments = [
  { name: 'public-security', envPrefix: 'PUBLIC_SECURITY', database: 'public_security', defaultPort: 4001, title: 'Public security 公安' },
  { name: 'civil-affairs', envPrefix: 'CIVIL_AFFAIRS', database: 'civil_affairs', defaultPort: 4002, title: 'Civil affairs 民政' },
  { name: 'party', envPrefix: 'PARTY', database: 'party', defaultPort: 4003, title: 'Party building 党建' },
  { name: 'housing', envPrefix: 'HOUSING', database: 'housing', defaultPort: 4004, title: 'Housing 住建' },
  { name: 'mediation', envPrefix: 'MEDIATION', database: 'mediation', defaultPort: 4005, title: 'People\'s mediation 人民调解' },
  { name: 'audit', envPrefix: 'AUDIT', database: 'audit', defaultPort: 4006, title: 'Audit trail 审计' },
] as const satisfies readonly Department[];

export type DepartmentName = (typeof departments)[number]['name'];

export function department(name: string): Department {
  const found = departments.find((d) => d.name === name);
  if (!found) throw new Error(`unknown department ${name}; known: ${departments.map((d) => d.name).join(', ')}`);
  return found;
}

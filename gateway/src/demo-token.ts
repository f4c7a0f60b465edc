import { callerFromClaims, demoIssuer, loadRoles, PURPOSES, type RoleRegistry } from '@hub/core';

/**
 * Demo tokens for development: the claims are checked exactly as the gateway checks them, so a token minted here is
 * one the gateway accepts.
 */
export const TOKEN_USAGE = `usage: npm run -s token -- --role <role> [--grid <code>]… [--community <code>]… [--user <id>] [--department <name>] [--purpose <purpose>] [--unit <code>] [--ttl <8h|30m|3600s>]`;

export interface TokenRequest {
  role: string;
  user: string;
  department: string | undefined;
  grids: string[];
  communities: string[];
  purpose: string | undefined;
  ttl: string;
  /** The handling unit the user acts for (a code of mediation's unit directory, e.g. URBAN_MANAGEMENT). */
  unit?: string | undefined;
}

export function parseTokenArguments(argv: string[]): TokenRequest {
  const values = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    if (flag === '--help' || flag === '-h') throw new Error(TOKEN_USAGE);
    const name = flag.startsWith('--') ? flag.slice(2) : null;
    const value = argv[i + 1];
    if (!name || !['role', 'grid', 'community', 'user', 'department', 'purpose', 'ttl', 'unit'].includes(name)) throw new Error(`unknown argument ${flag}\n${TOKEN_USAGE}`);
    if (value === undefined || value.startsWith('--')) throw new Error(`${flag} needs a value\n${TOKEN_USAGE}`);
    values.set(name, [...(values.get(name) ?? []), value]);
    i++;
  }
  const single = (name: string) => {
    const given = values.get(name) ?? [];
    if (given.length > 1) throw new Error(`--${name} may be given once`);
    return given[0];
  };
  const role = single('role');
  if (!role) throw new Error(`--role is required\n${TOKEN_USAGE}`);
  const ttl = single('ttl') ?? '8h';
  if (!/^\d+[smhd]$/.test(ttl) || Number.parseInt(ttl, 10) === 0) throw new Error(`--ttl must be a span like 8h, 30m, 3600s or 1d, got "${ttl}"`);
  return {
    role,
    user: single('user') ?? `demo-${role}`,
    department: single('department'),
    grids: values.get('grid') ?? [],
    communities: values.get('community') ?? [],
    purpose: single('purpose'),
    ttl,
    unit: single('unit'),
  };
}

/** The token, after the same claim checks the gateway makes (and the purpose checked against the role). */
export async function mintDemoToken(request: TokenRequest, env: NodeJS.ProcessEnv = process.env, roles: RoleRegistry = loadRoles(env)): Promise<string> {
  const claims: Record<string, unknown> = { sub: request.user, role: request.role, grids: request.grids, communities: request.communities };
  if (request.department) claims.department = request.department;
  if (request.unit) claims.unit = request.unit;
  try {
    callerFromClaims(claims, roles);
  } catch (error) {
    const known = Object.keys(roles).join(', ');
    throw new Error(`${error instanceof Error ? error.message : String(error)}${Object.hasOwn(roles, request.role) ? '' : ` (roles: ${known})`}`);
  }
  if (request.purpose !== undefined) {
    const allowed: readonly string[] = roles[request.role]!.purposes;
    if (!allowed.includes(request.purpose)) {
      throw new Error(`role ${request.role} may not declare purpose ${request.purpose}; it may declare: ${allowed.join(', ') || 'none'} (of ${Object.keys(PURPOSES).join(', ')})`);
    }
  }
  return demoIssuer(env).mint(claims, { expiresIn: request.ttl });
}

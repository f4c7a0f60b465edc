import { readFileSync } from 'node:fs';
import { departments } from '../departments.ts';
import { DEMO_ROLES, isPurpose, isScope, PURPOSES, SCOPES, type Purpose, type RoleDefinition, type Scope } from './model.ts';

/** The roles a hub knows, by the name tokens carry in their `role` claim. */
export type RoleRegistry = Readonly<Record<string, RoleDefinition>>;

const ROLE_NAME = /^[a-z][a-z0-9-]{0,63}$/;
const UNIT_CODE = /^[A-Z][A-Z0-9_]{1,39}$/;

/**
 * The demo roles plus those of `HUB_ROLES_FILE` (a JSON object of role name → definition), which may add roles or
 * redefine demo ones. The file is checked whole when a service starts: a typo in a scope must stop the service, not
 * silently grant or withhold data.
 */
export function loadRoles(env: NodeJS.ProcessEnv = process.env): RoleRegistry {
  const file = env.HUB_ROLES_FILE;
  if (!file) return DEMO_ROLES;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`HUB_ROLES_FILE ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { ...DEMO_ROLES, ...parseRoles(json, `HUB_ROLES_FILE ${file}`) };
}

/** Checks a roles document; every problem is named in one error, so a file is fixed in one pass. */
export function parseRoles(json: unknown, source: string): Record<string, RoleDefinition> {
  if (!isObject(json)) throw new Error(`${source}: expected a JSON object of role name → { department, scopes, purposes, ownGridsOnly, namesMasked, unit? }`);
  const problems: string[] = [];
  const roles: Record<string, RoleDefinition> = {};
  const departmentNames: string[] = departments.map((d) => d.name);
  for (const [name, value] of Object.entries(json)) {
    const before = problems.length;
    const problem = (text: string) => problems.push(`role "${name}": ${text}`);
    if (!ROLE_NAME.test(name)) problem('a role name is lowercase letters, digits and hyphens');
    if (!isObject(value)) {
      problem('expected an object');
      continue;
    }
    const known = new Set(['description', 'department', 'scopes', 'purposes', 'ownGridsOnly', 'namesMasked', 'adHocQueries', 'unit']);
    for (const key of Object.keys(value)) if (!known.has(key)) problem(`unknown field "${key}"`);
    const { description = name, department, scopes, purposes, ownGridsOnly, namesMasked, adHocQueries = false, unit } = value;
    if (typeof description !== 'string') problem('description must be a string');
    if (department !== null && !(typeof department === 'string' && departmentNames.includes(department))) {
      problem(`department must be null or one of ${departmentNames.join(', ')}`);
    }
    if (!Array.isArray(scopes)) problem('scopes must be an array');
    else for (const s of scopes) if (!isScope(s)) problem(`scope ${JSON.stringify(s)} is not one of ${Object.keys(SCOPES).join(', ')}`);
    if (!Array.isArray(purposes)) problem('purposes must be an array');
    else for (const p of purposes) if (!isPurpose(p)) problem(`purpose ${JSON.stringify(p)} is not one of ${Object.keys(PURPOSES).join(', ')}`);
    // No defaults for these two: a forgotten flag must not widen what a role sees.
    if (typeof ownGridsOnly !== 'boolean') problem('ownGridsOnly must be true or false');
    if (typeof namesMasked !== 'boolean') problem('namesMasked must be true or false');
    if (typeof adHocQueries !== 'boolean') problem('adHocQueries must be true or false');
    // The code only: whether mediation's directory holds the unit and lets this department act for it is checked there.
    if (unit !== undefined && !(typeof unit === 'string' && UNIT_CODE.test(unit))) problem('unit must be a handling unit code (capital letters, digits and _, 2 to 40 characters)');
    if (problems.length === before) {
      roles[name] = {
        description: description as string,
        department: department as string | null,
        scopes: [...new Set(scopes as Scope[])],
        purposes: [...new Set(purposes as Purpose[])],
        ownGridsOnly: ownGridsOnly as boolean,
        namesMasked: namesMasked as boolean,
        ...(adHocQueries === true ? { adHocQueries: true } : {}),
        ...(typeof unit === 'string' ? { unit } : {}),
      };
    }
  }
  if (problems.length > 0) throw new Error(`${source}:\n  ${problems.join('\n  ')}`);
  return roles;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

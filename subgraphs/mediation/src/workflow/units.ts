/**
 * The directory of handling units (承办单位) a street's centre can whistle (吹哨): the hub's five departments and the
 * district's stations and offices that must act on what the hub's departments cannot (城管执法, 市场监管, 劳动监察 ...).
 * Each unit says whose people act for it (the hub department of their accounts, or none for a station outside the
 * hub) and the longest deadline a dispatch may give it. A deployment adds units or changes built-in ones with a JSON
 * file (MEDIATION_UNITS_FILE, see docs/configuration.md), checked at start-up so a bad file stops the service with the
 * entry and field it does not accept.
 */
import { readFileSync } from 'node:fs';
import type { CaseDepartment } from '../__generated__/resolvers-types.ts';
import { daysFromEnv } from './deadlines.ts';

/** What kind of body a unit is; stations are the district's line agencies sent to a street (条). */
export const UNIT_KINDS = ['HUB_DEPARTMENT', 'MEDIATION_COMMITTEE', 'ADMINISTRATIVE_STATION', 'POLITICAL_LEGAL', 'PETITIONS', 'OTHER'] as const;
export type UnitKind = (typeof UNIT_KINDS)[number];

export interface HandlingUnit {
  /** Stable code: capital letters, digits and `_`, 2 to 40 characters (e.g. URBAN_MANAGEMENT). */
  code: string;
  /** Name in Chinese as the centre calls it. */
  name: string;
  kind: UnitKind;
  /**
   * The hub department (a `department` claim: public-security, civil-affairs, party, housing, mediation) whose
   * accounts act for the unit, or null for a station outside the hub, whose accounts carry no department.
   */
  department: string | null;
  /** The longest deadline a dispatch may give it, in days from the day of dispatch (派单时限上限). */
  maxDeadlineDays: number;
}

/** Every unit with kind MEDIATION_COMMITTEE keeps the one-month mediation limit, extended only with the parties' consent. */
export const isMediationUnit = (unit: HandlingUnit) => unit.kind === 'MEDIATION_COMMITTEE';

export const BUILT_IN_UNITS: readonly HandlingUnit[] = [
  { code: 'PUBLIC_SECURITY', name: '公安分局', kind: 'HUB_DEPARTMENT', department: 'public-security', maxDeadlineDays: 15 },
  { code: 'CIVIL_AFFAIRS', name: '民政局', kind: 'HUB_DEPARTMENT', department: 'civil-affairs', maxDeadlineDays: 30 },
  { code: 'PARTY', name: '党建办', kind: 'HUB_DEPARTMENT', department: 'party', maxDeadlineDays: 30 },
  { code: 'HOUSING', name: '住建局', kind: 'HUB_DEPARTMENT', department: 'housing', maxDeadlineDays: 30 },
  { code: 'MEDIATION', name: '人民调解委员会', kind: 'MEDIATION_COMMITTEE', department: 'mediation', maxDeadlineDays: 31 },
  { code: 'URBAN_MANAGEMENT', name: '城管执法队', kind: 'ADMINISTRATIVE_STATION', department: null, maxDeadlineDays: 15 },
  { code: 'MARKET_REGULATION', name: '市场监管所', kind: 'ADMINISTRATIVE_STATION', department: null, maxDeadlineDays: 30 },
  { code: 'ECOLOGY_ENVIRONMENT', name: '生态环境分局', kind: 'ADMINISTRATIVE_STATION', department: null, maxDeadlineDays: 30 },
  { code: 'LABOUR_INSPECTION', name: '人社局劳动保障监察大队', kind: 'ADMINISTRATIVE_STATION', department: null, maxDeadlineDays: 60 },
  { code: 'HEALTH', name: '卫生健康委', kind: 'ADMINISTRATIVE_STATION', department: null, maxDeadlineDays: 30 },
  { code: 'EMERGENCY_MANAGEMENT', name: '应急管理局', kind: 'ADMINISTRATIVE_STATION', department: null, maxDeadlineDays: 15 },
  { code: 'NATURAL_RESOURCES', name: '自然资源所', kind: 'ADMINISTRATIVE_STATION', department: null, maxDeadlineDays: 60 },
  { code: 'AGRICULTURE_RURAL', name: '农业农村局', kind: 'ADMINISTRATIVE_STATION', department: null, maxDeadlineDays: 60 },
  { code: 'PETITIONS', name: '信访办', kind: 'PETITIONS', department: null, maxDeadlineDays: 60 },
  { code: 'JUSTICE_OFFICE', name: '司法所', kind: 'POLITICAL_LEGAL', department: 'mediation', maxDeadlineDays: 30 },
  { code: 'POLICE_STATION', name: '派出所', kind: 'POLITICAL_LEGAL', department: 'public-security', maxDeadlineDays: 15 },
  { code: 'COURT', name: '人民法庭', kind: 'POLITICAL_LEGAL', department: null, maxDeadlineDays: 90 },
];

/** The hub departments by claim, as the `CaseDepartment` enum names them and as their units are coded. */
export const DEPARTMENT_UNIT: Record<string, CaseDepartment> = {
  'public-security': 'PUBLIC_SECURITY',
  'civil-affairs': 'CIVIL_AFFAIRS',
  party: 'PARTY',
  housing: 'HOUSING',
  mediation: 'MEDIATION',
};
const HUB_DEPARTMENTS = Object.keys(DEPARTMENT_UNIT);

export const UNIT_CODE = /^[A-Z][A-Z0-9_]{1,39}$/;
const MAX_DEADLINE_DAYS = 365;

/** The units of one deployment, by code, in directory order (built-in first, then the configured ones). */
export class UnitDirectory {
  readonly units: readonly HandlingUnit[];
  private readonly byCode: Map<string, HandlingUnit>;

  constructor(units: readonly HandlingUnit[]) {
    this.units = units;
    this.byCode = new Map(units.map((u) => [u.code, u]));
  }

  get(code: string): HandlingUnit | undefined {
    return this.byCode.get(code);
  }

  /** The unit a hub department's case enum names (its own unit: HOUSING for HOUSING). */
  ofDepartment(department: CaseDepartment): HandlingUnit {
    const unit = this.byCode.get(department);
    if (!unit) throw new Error(`the unit directory has no unit ${department} for the department`);
    return unit;
  }
}

/**
 * The directory: the built-in units with the configured file's entries laid over them (an entry with a built-in
 * code replaces that unit; a new code adds one). Throws naming the file, the entry and what is wrong.
 */
export function unitDirectory(configured: unknown = [], source = 'MEDIATION_UNITS_FILE'): UnitDirectory {
  const entries = Array.isArray(configured) ? configured : (configured as { units?: unknown })?.units;
  if (!Array.isArray(entries)) throw new Error(`${source}: expected a JSON array of units, or an object with a "units" array`);
  const units = new Map(BUILT_IN_UNITS.map((u) => [u.code, u]));
  const seen = new Set<string>();
  entries.forEach((entry: unknown, i) => {
    const unit = checkUnit(entry, `${source}: units[${i}]`);
    if (seen.has(unit.code)) throw new Error(`${source}: units[${i}]: code ${unit.code} appears twice`);
    seen.add(unit.code);
    // The five departments' units carry the department's own cases: they may be renamed or given other limits, not moved.
    const builtIn = units.get(unit.code);
    if (builtIn?.kind === 'HUB_DEPARTMENT' || builtIn?.kind === 'MEDIATION_COMMITTEE') {
      if (unit.kind !== builtIn.kind || unit.department !== builtIn.department) {
        throw new Error(`${source}: units[${i}]: ${unit.code} is the ${builtIn.department} department's own unit; only its name and maxDeadlineDays may change`);
      }
    }
    units.set(unit.code, unit);
  });
  return new UnitDirectory([...units.values()]);
}

function checkUnit(entry: unknown, where: string): HandlingUnit {
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) throw new Error(`${where}: expected an object { code, name, kind, department, maxDeadlineDays }`);
  const known = new Set(['code', 'name', 'kind', 'department', 'maxDeadlineDays']);
  const unknown = Object.keys(entry).filter((k) => !known.has(k));
  if (unknown.length > 0) throw new Error(`${where}: unknown field ${unknown.join(', ')}; a unit has code, name, kind, department, maxDeadlineDays`);
  const { code, name, kind, department = null, maxDeadlineDays } = entry as Record<string, unknown>;
  if (typeof code !== 'string' || !UNIT_CODE.test(code)) throw new Error(`${where}: code must be 2 to 40 capital letters, digits or _ starting with a letter, got ${JSON.stringify(code)}`);
  const at = `${where} (${code})`;
  if (typeof name !== 'string' || name.trim() === '' || name.length > 100) throw new Error(`${at}: name must be 1 to 100 characters`);
  if (typeof kind !== 'string' || !(UNIT_KINDS as readonly string[]).includes(kind)) throw new Error(`${at}: kind must be one of ${UNIT_KINDS.join(', ')}`);
  if (department !== null && (typeof department !== 'string' || !HUB_DEPARTMENTS.includes(department))) {
    throw new Error(`${at}: department must be null (a station outside the hub) or one of ${HUB_DEPARTMENTS.join(', ')}`);
  }
  if (typeof maxDeadlineDays !== 'number' || !Number.isInteger(maxDeadlineDays) || maxDeadlineDays < 1 || maxDeadlineDays > MAX_DEADLINE_DAYS) {
    throw new Error(`${at}: maxDeadlineDays must be a whole number of days from 1 to ${MAX_DEADLINE_DAYS}`);
  }
  return { code, name: name.trim(), kind: kind as UnitKind, department: department as string | null, maxDeadlineDays };
}

/** The directory of a deployment: MEDIATION_UNITS_FILE when set (a JSON file), else the built-in units. */
export function unitDirectoryFromEnv(env: NodeJS.ProcessEnv = process.env): UnitDirectory {
  const file = env.MEDIATION_UNITS_FILE;
  if (file === undefined || file === '') return unitDirectory([]);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`MEDIATION_UNITS_FILE: cannot read ${file}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`MEDIATION_UNITS_FILE: ${file} is not JSON: ${(error as Error).message}`);
  }
  return unitDirectory(json, `MEDIATION_UNITS_FILE ${file}`);
}


/** Acceptance time limit (受理时限): a reported case is accepted or refused within this many days, unless configured. */
export const DEFAULT_ACCEPTANCE_DAYS = 3;
/** An escalated case's time limit under supervision (提级督办时限), unless configured. */
export const DEFAULT_ESCALATION_DAYS = 15;

/** The time limits and directory the workflow runs under, per deployment. */
export interface WorkflowLimits {
  units: UnitDirectory;
  acceptanceDays: number;
  escalationDays: number;
}

export const defaultWorkflowLimits = (): WorkflowLimits => ({
  units: unitDirectory([]),
  acceptanceDays: DEFAULT_ACCEPTANCE_DAYS,
  escalationDays: DEFAULT_ESCALATION_DAYS,
});

/** The acceptance limit as configured: the service's workflow and the import of legacy cases read the same variable. */
export const acceptanceDaysFromEnv = (env: NodeJS.ProcessEnv = process.env): number =>
  daysFromEnv(env.MEDIATION_ACCEPTANCE_DAYS, 'MEDIATION_ACCEPTANCE_DAYS', DEFAULT_ACCEPTANCE_DAYS, 1, 60);

export function workflowLimitsFromEnv(env: NodeJS.ProcessEnv = process.env): WorkflowLimits {
  return {
    units: unitDirectoryFromEnv(env),
    acceptanceDays: acceptanceDaysFromEnv(env),
    escalationDays: daysFromEnv(env.MEDIATION_ESCALATION_DAYS, 'MEDIATION_ESCALATION_DAYS', DEFAULT_ESCALATION_DAYS, 1, 90),
  };
}

/**
 * The access model: scopes (what data a caller may read or change), purposes (why a sensitive value is being read)
 * and roles (the demo set of who holds which scopes and may declare which purposes, and whether their rows are
 * limited to their own grids). Deployments extend the roles by configuration; scopes and purposes are what the
 * schemas' `@requiresScopes` and `@policy` directives name, so they change only with the schemas.
 */

export const SCOPES = {
  'resident:read': 'residents on the register: name, sex, age, population type, grid (实有人口基本信息)',
  'resident:identity': 'ID numbers and phone numbers in clear, with a purpose (身份证号、电话)',
  'resident:address': 'exact addresses: registered address, the house lived in (详细住址)',
  'keyperson:read': 'key-person records (重点人员)',
  'incident:read': 'police incidents (警情)',
  'welfare:read': 'welfare entitlements (社会救助)',
  'health:read': 'disability and mental-health data (残疾、精神健康)',
  'party:read': 'party organizations, members, activities, points (党建)',
  'housing:read': 'buildings, houses, owners, tenancies, group rentals (房屋)',
  'organization:read': 'the organization directory and its details (组织)',
  'grouprental:write': "record the stages of a group rental's remediation: interview, rectification, re-inspection (群租整治登记)",
  'case:read': 'dispute cases (矛盾纠纷)',
  'case:report': 'report a case or refer one from a department (上报、移送案件)',
  'case:write': 'take in, route, follow up and close cases at the governance centre (受理、派单、回访、结案)',
  'case:respond': "acknowledge and handle the cases dispatched to one's own department (部门报到、办理)",
  'case:supervise': 'supervise overdue and escalated cases, re-dispatch escalated ones (督查督办)',
  'statistics:read': 'aggregate figures and pseudonymous datasets (统计)',
  'audit:read': 'the audit trail (审计日志)',
  'import:public-security': "public security's import log: who loaded which file, and what it did (数据导入记录)",
  'import:civil-affairs': "civil affairs' import log (数据导入记录)",
  'import:party': "the party department's import log (数据导入记录)",
  'import:housing': "housing's import log (数据导入记录)",
  'import:mediation': "people's mediation's import log (数据导入记录)",
} as const;
export type Scope = keyof typeof SCOPES;

export const PURPOSES = {
  'grid-service': 'a grid worker serving the households of their grid (网格服务)',
  'case-handling': 'handling a dispute case or a report (案件办理)',
  'welfare-review': 'reviewing welfare eligibility (救助审核)',
  'public-safety': 'public-security work on key persons and incidents (公共安全)',
  'party-affairs': 'party-building work (党务)',
  'housing-management': 'housing and group-rental management (房屋管理)',
  statistics: 'aggregate analysis, no one identified (统计分析)',
  audit: 'reviewing the audit trail (审计)',
} as const;
export type Purpose = keyof typeof PURPOSES;

export interface RoleDefinition {
  description: string;
  department: string | null;
  scopes: Scope[];
  purposes: Purpose[];
  /** Rows limited to the grids (or communities) named in the caller's token. */
  ownGridsOnly: boolean;
  /** May know that a person exists but not who: names come back as surname + `*`. */
  namesMasked: boolean;
  /** May run ad-hoc operations where the gateway enforces trusted documents (still under the cost limit); default false. */
  adHocQueries?: boolean;
  /**
   * The handling unit (a code of mediation's unit directory) the role's accounts act for when their token names none:
   * a station's officers act for the station, not for their department's own unit. Absent: the department's unit.
   */
  unit?: string;
}

export const DEMO_ROLES = {
  'grid-worker': {
    description: 'Grid worker (网格员): the residents, houses and cases of their own grids',
    department: 'civil-affairs',
    scopes: ['resident:read', 'resident:address', 'resident:identity', 'housing:read', 'grouprental:write', 'organization:read', 'case:read', 'case:report', 'party:read'],
    purposes: ['grid-service', 'case-handling'],
    ownGridsOnly: true,
    namesMasked: false,
  },
  'party-affairs-worker': {
    description: 'Party-affairs worker (党务工作者)',
    department: 'party',
    scopes: ['resident:read', 'party:read', 'organization:read', 'case:read', 'case:report', 'case:respond', 'import:party'],
    purposes: ['party-affairs'],
    ownGridsOnly: false,
    namesMasked: false,
  },
  'civil-affairs-clerk': {
    description: 'Civil-affairs clerk (民政工作人员): welfare and social organizations',
    department: 'civil-affairs',
    scopes: ['resident:read', 'resident:identity', 'resident:address', 'welfare:read', 'health:read', 'housing:read', 'organization:read', 'case:read', 'case:report', 'case:respond', 'import:civil-affairs'],
    purposes: ['welfare-review'],
    ownGridsOnly: false,
    namesMasked: false,
  },
  'police-officer': {
    description: 'Police officer (民警): the population register, key persons, incidents',
    department: 'public-security',
    scopes: ['resident:read', 'resident:identity', 'resident:address', 'keyperson:read', 'incident:read', 'health:read', 'case:read', 'case:report', 'case:respond', 'organization:read', 'import:public-security'],
    purposes: ['public-safety', 'case-handling'],
    ownGridsOnly: false,
    namesMasked: false,
  },
  'housing-officer': {
    description: 'Housing officer (住建工作人员): houses, tenancies, group rentals',
    department: 'housing',
    scopes: ['resident:read', 'resident:address', 'housing:read', 'grouprental:write', 'organization:read', 'case:read', 'case:report', 'case:respond', 'import:housing'],
    purposes: ['housing-management'],
    ownGridsOnly: false,
    namesMasked: false,
  },
  // Public security's accounts at the police station (派出所): they act for the station's unit, and so see and handle
  // the cases the centre sends to the station (as lead or co-handler), not those of the public-security bureau.
  'station-officer': {
    description: 'Police-station officer (派出所民警): the dispute cases the centre sends to the police station',
    department: 'public-security',
    unit: 'POLICE_STATION',
    scopes: ['resident:read', 'resident:identity', 'incident:read', 'case:read', 'case:report', 'case:respond', 'organization:read'],
    purposes: ['case-handling'],
    ownGridsOnly: false,
    namesMasked: false,
  },
  mediator: {
    description: 'Mediator (调解员): dispute cases and their parties',
    department: 'mediation',
    scopes: ['resident:read', 'resident:identity', 'case:read', 'case:report', 'case:write', 'case:respond', 'organization:read', 'housing:read', 'import:mediation'],
    purposes: ['case-handling'],
    ownGridsOnly: false,
    namesMasked: false,
  },
  dispatcher: {
    description: 'Governance-centre dispatcher (综治中心调度员): takes in and routes cases',
    department: 'mediation',
    scopes: ['resident:read', 'case:read', 'case:report', 'case:write', 'organization:read', 'incident:read'],
    purposes: ['case-handling'],
    ownGridsOnly: false,
    namesMasked: false,
  },
  supervisor: {
    description: 'Supervision office (督查室): overdue and escalated cases, yellow and red cards',
    department: null,
    scopes: ['resident:read', 'case:read', 'case:supervise', 'statistics:read', 'organization:read'],
    purposes: ['case-handling'],
    ownGridsOnly: false,
    namesMasked: false,
  },
  'district-analyst': {
    description: 'District analyst (区级分析员): aggregates and pseudonymous datasets, no names',
    department: null,
    scopes: ['resident:read', 'statistics:read', 'organization:read', 'housing:read', 'case:read', 'party:read', 'welfare:read'],
    purposes: ['statistics'],
    ownGridsOnly: false,
    namesMasked: true,
    adHocQueries: true,
  },
  auditor: {
    description: 'Auditor (审计员): the audit trail only',
    department: null,
    scopes: ['audit:read'],
    purposes: ['audit'],
    ownGridsOnly: false,
    namesMasked: true,
  },
  administrator: {
    description: 'Administrator (系统管理员)',
    department: null,
    scopes: Object.keys(SCOPES) as Scope[],
    purposes: Object.keys(PURPOSES) as Purpose[],
    ownGridsOnly: false,
    namesMasked: false,
    adHocQueries: true,
  },
} as const satisfies Record<string, RoleDefinition>;
export type DemoRole = keyof typeof DEMO_ROLES;

/** The verified caller, as the gateway passes it to every subgraph. */
export interface Caller {
  /** Subject: the user's id at the identity provider. */
  userId: string;
  role: string;
  department: string | null;
  scopes: Scope[];
  /** The purpose declared for this request, when the role allows it. */
  purpose: Purpose | null;
  /** Grid codes the caller is responsible for (grid workers). */
  grids: string[];
  /** Community codes the caller is responsible for. */
  communities: string[];
  ownGridsOnly: boolean;
  namesMasked: boolean;
  /**
   * The handling unit the caller acts for (承办单位, a code of mediation's unit directory), from the token's `unit`
   * claim; absent or null: the caller's department's own unit.
   */
  unit?: string | null;
}

export const isScope = (value: unknown): value is Scope => typeof value === 'string' && Object.hasOwn(SCOPES, value);
export const isPurpose = (value: unknown): value is Purpose => typeof value === 'string' && Object.hasOwn(PURPOSES, value);

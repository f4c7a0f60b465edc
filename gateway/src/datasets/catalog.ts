/**
 * The named datasets analysts pull (数据集): each one GraphQL operation over the supergraph, read in column pages of
 * runs of grids, and the columns its rows become. The operation is the only way a dataset reads data, so the gateway's policy,
 * masking and audit apply to every page exactly as to any client's query.
 */
import { readFileSync } from 'node:fs';
import type { Scope } from '@hub/core';
import type {
  DatasetAssistanceGrantsByGridQuery,
  DatasetCareListsQuery,
  DatasetCasesQuery,
  DatasetDisabilityByGridQuery,
  DatasetGroupRentalsQuery,
  DatasetPartyMembersByGridQuery,
  DatasetReportInsByCommunityQuery,
  DatasetResidentsByGridQuery,
  DatasetVolunteersByCommunityQuery,
  DatasetWelfareCrossCheckQuery,
} from '../__generated__/datasets.ts';

export type ColumnType = 'string' | 'integer' | 'double' | 'boolean' | 'date' | 'timestamp';
export type Cell = string | number | boolean | null;

/** Where a row lies: the grid a page was read for, with its community and street. */
export interface GridPlace {
  streetCode: string;
  streetName: string;
  communityCode: string;
  communityName: string;
  gridCode: string;
  gridName: string;
}

const operation = (file: string) => readFileSync(new URL(`./operations/${file}`, import.meta.url), 'utf8');

/** Age bands of population statistics (年龄段): children, youth, working age, the elderly and the very old. */
export function ageBand(age: number | null): string | null {
  if (age === null) return null;
  if (age < 18) return '0-17';
  if (age < 35) return '18-34';
  if (age < 60) return '35-59';
  if (age < 80) return '60-79';
  return '80+';
}

type ResidentColumnsPage = NonNullable<DatasetResidentsByGridQuery['residentColumns']>;
type DisabilityCountPage = NonNullable<DatasetDisabilityByGridQuery['disabilityCountColumns']>;
type AssistanceCountPage = NonNullable<DatasetAssistanceGrantsByGridQuery['assistanceCountColumns']>;
type GroupRentalColumnsPage = NonNullable<DatasetGroupRentalsQuery['groupRentalColumns']>;
type CaseColumnsPage = NonNullable<DatasetCasesQuery['caseColumns']>;
type WelfareEntitlementColumnsPage = NonNullable<DatasetWelfareCrossCheckQuery['welfareEntitlementColumns']>;
type CareRecordColumnsPage = NonNullable<DatasetCareListsQuery['careRecordColumns']>;
type PartyMemberColumnsPage = NonNullable<DatasetPartyMembersByGridQuery['partyMemberColumns']>;

/**
 * A dataset read a column page at a time over many grids (`$gridCodes`, `$first`, `$after`): one object of lists per
 * page, entry i of each about the i-th row. Pages of thousands of rows cost the graph one object each.
 */
export interface ColumnDataset<TPage> {
  name: string;
  title: { en: string; zh: string };
  operationName: string;
  document: string;
  scopes: Scope[][];
  /** The page in the operation's answer; null when the caller may not read it. */
  page: (data: unknown) => (TPage & { hasNextPage: boolean; endCursor: string | null }) | null;
  /**
   * `community`: a row is a community's figure over the page's grids in it, so a run of grids never splits a
   * community (two rows of one community would each hold part of it). Rows of residents need no such care.
   */
  rowsPer?: 'community';
  /** The instant row i is filtered by with `from` and `to`; datasets without one refuse a date range. */
  dateOf?: (page: TPage, i: number) => string;
  /** Rows on the page, and the grid of row i (for the place columns). */
  size: (page: TPage) => number;
  gridOf: (page: TPage, i: number) => string;
  columns: { name: string; type: ColumnType; en: string; zh: string; value: (page: TPage, i: number, place: GridPlace) => Cell }[];
}

/** Entry i of a column, or null where the whole column is missing (a field the caller may not read). */
const at = <T>(column: readonly T[] | null | undefined, i: number): T | null => (column ? (column[i] ?? null) : null);

/** The place columns every dataset's row starts with. */
function placeColumnsOfPage<TPage>(): ColumnDataset<TPage>['columns'] {
  return [
    { name: 'street_code', type: 'string', en: 'Street or town code', zh: '街道/乡镇代码', value: (_, __, p) => p.streetCode },
    { name: 'street', type: 'string', en: 'Street or town', zh: '街道/乡镇', value: (_, __, p) => p.streetName },
    { name: 'community_code', type: 'string', en: 'Community or village code', zh: '社区/村代码', value: (_, __, p) => p.communityCode },
    { name: 'community', type: 'string', en: 'Community or village', zh: '社区/村', value: (_, __, p) => p.communityName },
    { name: 'grid_code', type: 'string', en: 'Grid code', zh: '网格编码', value: (_, __, p) => p.gridCode },
    { name: 'grid', type: 'string', en: 'Grid', zh: '网格', value: (_, __, p) => p.gridName },
  ];
}

const residentsByGrid: ColumnDataset<ResidentColumnsPage> = {
  name: 'residents-by-grid',
  title: { en: 'Residents by grid, pseudonymous, with what each department holds on them', zh: '网格实有人口（去标识化）' },
  operationName: 'DatasetResidentsByGrid',
  document: operation('residents-by-grid.graphql'),
  scopes: [['resident:read', 'party:read', 'welfare:read', 'case:read']],
  page: (data) => (data as DatasetResidentsByGridQuery).residentColumns,
  size: (page) => page.ids.length,
  gridOf: (page, i) => page.gridCodes[i] as string,
  columns: [
    { name: 'resident_id', type: 'string', en: 'Pseudonymous resident id (keyed hash of the ID number)', zh: '居民标识（去标识化）', value: (p, i) => at(p.ids, i) },
    ...placeColumnsOfPage<ResidentColumnsPage>(),
    { name: 'population_type', type: 'string', en: 'Population type', zh: '人口类型', value: (p, i) => at(p.populationTypes, i) },
    { name: 'residence_status', type: 'string', en: 'Hukou and residence (人户一致, 人在户不在); empty without a hukou. Rows are people living in the grid, so 户在人不在 is never one', zh: '人户状态', value: (p, i) => at(p.residenceStatuses, i) },
    { name: 'sex', type: 'string', en: 'Sex', zh: '性别', value: (p, i) => at(p.sexes, i) },
    { name: 'age_band', type: 'string', en: 'Age band (0-17, 18-34, 35-59, 60-79, 80+)', zh: '年龄段', value: (p, i) => ageBand(at(p.ages, i)) },
    { name: 'party_member', type: 'boolean', en: 'Is a party member', zh: '是否党员', value: (p, i) => (p.partyMemberStatuses ? p.partyMemberStatuses[i] != null : null) },
    { name: 'welfare_kinds', type: 'string', en: 'Welfare kinds received now, separated by ";"', zh: '在享救助类别', value: (p, i) => at(p.activeWelfareKinds, i)?.toSorted().join(';') ?? null },
    { name: 'open_cases', type: 'integer', en: 'Open dispute cases the resident is a party to', zh: '未办结纠纷数', value: (p, i) => at(p.openCaseCounts, i) },
  ],
};

/** The place columns of a row that is a whole community: its street and itself. */
function communityColumnsOfPage<TPage>(): ColumnDataset<TPage>['columns'] {
  return placeColumnsOfPage<TPage>().filter((column) => !column.name.startsWith('grid'));
}

type ReportInsPage = NonNullable<DatasetReportInsByCommunityQuery['partyCommunityColumns']>;
type VolunteersPage = NonNullable<DatasetVolunteersByCommunityQuery['partyCommunityColumns']>;
const SUPPRESSED = 'empty for 1 to 4 people (small cells suppressed)';

const reportInsByCommunity: ColumnDataset<ReportInsPage> = {
  name: 'report-ins-by-community',
  title: { en: 'Party members reporting in (双报到) per community: reported in, posts claimed, hours served', zh: '社区双报到党员统计' },
  operationName: 'DatasetReportInsByCommunity',
  document: operation('report-ins-by-community.graphql'),
  scopes: [['party:read'], ['statistics:read']],
  rowsPer: 'community',
  page: (data) => (data as DatasetReportInsByCommunityQuery).partyCommunityColumns,
  size: (page) => page.communityCodes.length,
  gridOf: (page, i) => page.firstGridCodes[i] as string,
  columns: [
    ...communityColumnsOfPage<ReportInsPage>(),
    { name: 'reported_in', type: 'integer', en: `Members reporting in, living in the community; ${SUPPRESSED}`, zh: '报到党员数', value: (p, i) => at(p.reportIns, i) },
    { name: 'in_service', type: 'integer', en: `Of them, in-service members (双报到); ${SUPPRESSED}, and with it the other kind when only one is`, zh: '在职党员', value: (p, i) => at(p.inServiceReportIns, i) },
    { name: 'floating', type: 'integer', en: `Of them, floating members; ${SUPPRESSED}, as in_service`, zh: '流动党员', value: (p, i) => at(p.floatingReportIns, i) },
    { name: 'claiming_members', type: 'integer', en: `Members reporting in who claimed a post (岗位认领); ${SUPPRESSED}`, zh: '认领岗位党员数', value: (p, i) => at(p.claimingMembers, i) },
    { name: 'claimed_posts', type: 'integer', en: `Posts they claimed; empty when claimed by 1 to 4 people`, zh: '认领岗位数', value: (p, i) => at(p.claimedPosts, i) },
    { name: 'serving_members', type: 'integer', en: `Members reporting in on the volunteer register; ${SUPPRESSED}`, zh: '参与志愿服务党员数', value: (p, i) => at(p.servingMembers, i) },
    { name: 'hours_served', type: 'integer', en: 'Their service hours over the last twelve months, whole hours; empty when served by 1 to 4 people', zh: '服务时长（小时）', value: (p, i) => at(p.hoursServed, i) },
  ],
};

const volunteersByCommunity: ColumnDataset<VolunteersPage> = {
  name: 'volunteers-by-community',
  title: { en: 'The volunteer register per community: teams, volunteers, party members and others, people’s monitors, hours', zh: '社区志愿者统计' },
  operationName: 'DatasetVolunteersByCommunity',
  document: operation('volunteers-by-community.graphql'),
  scopes: [['party:read'], ['statistics:read']],
  rowsPer: 'community',
  page: (data) => (data as DatasetVolunteersByCommunityQuery).partyCommunityColumns,
  size: (page) => page.communityCodes.length,
  gridOf: (page, i) => page.firstGridCodes[i] as string,
  columns: [
    ...communityColumnsOfPage<VolunteersPage>(),
    { name: 'teams', type: 'integer', en: 'Volunteer teams its volunteers serve in (teams, not people: never suppressed)', zh: '志愿服务队数', value: (p, i) => at(p.volunteerTeams, i) },
    { name: 'volunteers', type: 'integer', en: `Volunteers living in the community; ${SUPPRESSED}`, zh: '志愿者数', value: (p, i) => at(p.volunteers, i) },
    { name: 'party_members', type: 'integer', en: `Of them, party members; ${SUPPRESSED}, and with it non_party when only one is`, zh: '党员志愿者', value: (p, i) => at(p.partyMemberVolunteers, i) },
    { name: 'non_party', type: 'integer', en: `Of them, others; ${SUPPRESSED}, as party_members`, zh: '非党员志愿者', value: (p, i) => at(p.nonPartyVolunteers, i) },
    { name: 'monitors', type: 'integer', en: `Of them, people’s monitors (民情监督员); ${SUPPRESSED}`, zh: '民情监督员', value: (p, i) => at(p.monitors, i) },
    { name: 'service_hours', type: 'integer', en: 'Their service hours over the last twelve months, whole hours; empty when served by 1 to 4 people', zh: '服务时长（小时）', value: (p, i) => at(p.volunteerHours, i) },
  ],
};

/**
 * The disability register as counts per grid, category and grade: what an analyst needs without the certificates
 * (health data). Small cells come suppressed from civil affairs, so the file can leave the hub.
 */
const disabilityByGrid: ColumnDataset<DisabilityCountPage> = {
  name: 'disability-by-grid',
  title: { en: 'Disability register counted per grid by category and by grade, small cells suppressed', zh: '网格残疾人登记统计' },
  operationName: 'DatasetDisabilityByGrid',
  document: operation('disability-by-grid.graphql'),
  scopes: [['health:read'], ['statistics:read']],
  page: (data) => (data as DatasetDisabilityByGridQuery).disabilityCountColumns,
  size: (page) => page.gridCodes.length,
  gridOf: (page, i) => page.gridCodes[i] as string,
  columns: [
    ...placeColumnsOfPage<DisabilityCountPage>(),
    { name: 'category', type: 'string', en: 'Category (VISUAL, HEARING, SPEECH, PHYSICAL, INTELLECTUAL, MENTAL, MULTIPLE); empty on a grade row', zh: '残疾类别', value: (p, i) => at(p.categories, i) },
    { name: 'grade', type: 'integer', en: 'Grade, 1 (most severe) to 4; empty on a category row', zh: '残疾等级', value: (p, i) => at(p.grades, i) },
    { name: 'holders', type: 'integer', en: 'Certificate holders of the category (or grade) in the grid; empty where suppressed', zh: '持证人数（小数抑制）', value: (p, i) => at(p.holders, i) },
    { name: 'suppressed', type: 'boolean', en: 'Whether the count is suppressed (1 to 4 holders, or the next smallest beside a list\u2019s only such count)', zh: '是否小数抑制', value: (p, i) => at(p.holders, i) === null },
  ],
};

const assistanceGrantsByGrid: ColumnDataset<AssistanceCountPage> = {
  name: 'assistance-grants-by-grid',
  title: { en: 'Temporary and medical assistance counted per grid, year and kind, small cells suppressed', zh: '网格临时救助、医疗救助统计' },
  operationName: 'DatasetAssistanceGrantsByGrid',
  document: operation('assistance-grants-by-grid.graphql'),
  scopes: [['welfare:read'], ['statistics:read']],
  page: (data) => (data as DatasetAssistanceGrantsByGridQuery).assistanceCountColumns,
  size: (page) => page.gridCodes.length,
  gridOf: (page, i) => page.gridCodes[i] as string,
  columns: [
    ...placeColumnsOfPage<AssistanceCountPage>(),
    { name: 'year', type: 'integer', en: 'Calendar year of the grants', zh: '年度', value: (p, i) => at(p.years, i) },
    { name: 'kind', type: 'string', en: 'TEMPORARY (临时救助) or MEDICAL (医疗救助)', zh: '救助类型', value: (p, i) => at(p.kinds, i) },
    { name: 'recipients', type: 'integer', en: `People granted at least once; ${SUPPRESSED}`, zh: '救助人数（小数抑制）', value: (p, i) => at(p.recipients, i) },
    { name: 'grants', type: 'integer', en: 'Grants; empty when granted to 1 to 4 people', zh: '救助人次', value: (p, i) => at(p.grants, i) },
    { name: 'amount', type: 'double', en: 'Yuan granted; empty when granted to 1 to 4 people', zh: '救助金额（元）', value: (p, i) => (at(p.amounts, i) === null ? null : Number(at(p.amounts, i))) },
    { name: 'suppressed', type: 'boolean', en: 'Whether the row is suppressed (1 to 4 people granted)', zh: '是否小数抑制', value: (p, i) => at(p.recipients, i) === null },
  ],
};

const groupRentals: ColumnDataset<GroupRentalColumnsPage> = {
  name: 'group-rentals',
  title: { en: 'Group rentals with their occupants and disputes', zh: '群租房整治台账' },
  operationName: 'DatasetGroupRentals',
  document: operation('group-rentals.graphql'),
  scopes: [['housing:read', 'resident:read', 'case:read']],
  page: (data) => (data as DatasetGroupRentalsQuery).groupRentalColumns,
  size: (page) => page.ids.length,
  gridOf: (page, i) => page.gridCodes[i] as string,
  columns: [
    { name: 'group_rental_id', type: 'string', en: 'Group-rental record id', zh: '群租编号', value: (p, i) => at(p.ids, i) },
    { name: 'house_code', type: 'string', en: 'House code', zh: '房屋编码', value: (p, i) => at(p.houseCodes, i) },
    ...placeColumnsOfPage<GroupRentalColumnsPage>(),
    { name: 'status', type: 'string', en: 'Remediation status', zh: '整治状态', value: (p, i) => at(p.statuses, i) },
    { name: 'identified_on', type: 'date', en: 'Date identified', zh: '发现日期', value: (p, i) => at(p.identifiedOns, i) },
    { name: 'occupants', type: 'integer', en: 'People living there when identified', zh: '居住人数', value: (p, i) => at(p.occupantCounts, i) },
    // A house the register shows no one in counts 0, as an empty list of occupants did.
    { name: 'registered_occupants', type: 'integer', en: 'People the register has living there now', zh: '登记居住人数', value: (p, i) => at(p.registeredOccupants, i) ?? 0 },
    { name: 'floating_occupants', type: 'integer', en: 'Of them, floating population', zh: '其中流动人口', value: (p, i) => at(p.floatingOccupants, i) ?? 0 },
    { name: 'disputes', type: 'integer', en: 'Dispute cases about the group rental', zh: '相关纠纷数', value: (p, i) => at(p.disputeCounts, i) ?? 0 },
  ],
};

const cases: ColumnDataset<CaseColumnsPage> = {
  name: 'cases',
  title: { en: 'Dispute cases with handling times, deadlines and satisfaction', zh: '矛盾纠纷办理台账' },
  operationName: 'DatasetCases',
  document: operation('cases.graphql'),
  scopes: [['case:read']],
  page: (data) => (data as DatasetCasesQuery).caseColumns,
  size: (page) => page.ids.length,
  gridOf: (page, i) => page.gridCodes[i] as string,
  dateOf: (page, i) => page.receivedAts?.[i] as string,
  columns: [
    { name: 'case_id', type: 'string', en: 'Case id', zh: '案件编号', value: (p, i) => at(p.ids, i) },
    ...placeColumnsOfPage<CaseColumnsPage>(),
    { name: 'category', type: 'string', en: 'Category', zh: '纠纷类别', value: (p, i) => at(p.categories, i) },
    { name: 'source', type: 'string', en: 'Source', zh: '案件来源', value: (p, i) => at(p.sources, i) },
    { name: 'hotline_ticket', type: 'string', en: '12345 hotline ticket', zh: '12345工单编号', value: (p, i) => at(p.hotlineTickets, i) },
    { name: 'severity', type: 'string', en: 'Severity (GENERAL, SIGNIFICANT, MAJOR)', zh: '纠纷等级', value: (p, i) => at(p.severities, i) },
    { name: 'criminal_risk', type: 'boolean', en: 'Risk of turning criminal', zh: '民转刑风险', value: (p, i) => at(p.criminalRisks, i) },
    { name: 'group_dispute', type: 'boolean', en: 'Group dispute', zh: '群体性纠纷', value: (p, i) => at(p.groupDisputes, i) },
    { name: 'head_count', type: 'integer', en: 'People involved in a group dispute', zh: '涉及人数', value: (p, i) => at(p.headCounts, i) },
    // The post only: a dataset leaves the hub, and a leader's name is a name.
    { name: 'leader_post', type: 'string', en: 'Post of the leader in charge', zh: '包案领导职务', value: (p, i) => at(p.leaderPosts, i) },
    { name: 'status', type: 'string', en: 'Status', zh: '案件状态', value: (p, i) => at(p.statuses, i) },
    { name: 'outcome', type: 'string', en: 'Outcome', zh: '办理结果', value: (p, i) => at(p.outcomes, i) },
    { name: 'department', type: 'string', en: 'Department dispatched to', zh: '承办部门', value: (p, i) => at(p.assignedDepartments, i) },
    { name: 'lead_unit', type: 'string', en: 'Lead unit of the current dispatch (unit directory code)', zh: '主办单位', value: (p, i) => at(p.leadUnitCodes, i) },
    { name: 'co_handlers', type: 'string', en: 'Co-handlers of the current dispatch, unit codes joined by ;', zh: '协办单位', value: (p, i) => at(p.coHandlerCodes, i) },
    { name: 'hand_backs', type: 'integer', en: 'Parts handed back by a unit (退单)', zh: '退单次数', value: (p, i) => at(p.handBacks, i) },
    { name: 'level', type: 'string', en: 'Handling level (COMMUNITY, STREET, DISTRICT)', zh: '办理层级', value: (p, i) => at(p.levels, i) },
    { name: 'reported_up', type: 'boolean', en: 'Reported up a level at some time', zh: '是否上报', value: (p, i) => at(p.reportedUps, i) },
    { name: 'received_at', type: 'timestamp', en: 'Reported', zh: '登记时间', value: (p, i) => at(p.receivedAts, i) },
    { name: 'accepted_at', type: 'timestamp', en: 'Accepted', zh: '受理时间', value: (p, i) => at(p.acceptedAts, i) },
    { name: 'acknowledged_at', type: 'timestamp', en: 'Acknowledged by the department', zh: '报到时间', value: (p, i) => at(p.acknowledgedAts, i) },
    { name: 'resolved_at', type: 'timestamp', en: 'Resolved', zh: '办结时间', value: (p, i) => at(p.resolvedAts, i) },
    { name: 'closed_at', type: 'timestamp', en: 'Closed', zh: '结案时间', value: (p, i) => at(p.closedAts, i) },
    { name: 'due_on', type: 'date', en: 'Time limit', zh: '办理期限', value: (p, i) => at(p.dueOns, i) },
    { name: 'overdue', type: 'boolean', en: 'Overdue today', zh: '是否超期', value: (p, i) => at(p.overdues, i) },
    { name: 'overdue_days', type: 'integer', en: 'Days past the time limit', zh: '超期天数', value: (p, i) => at(p.overdueDays, i) },
    { name: 'card', type: 'string', en: 'Supervision card (YELLOW, RED)', zh: '督办牌', value: (p, i) => at(p.cards, i) },
    { name: 'follow_ups', type: 'integer', en: 'Follow-up visits', zh: '回访次数', value: (p, i) => at(p.followUpCounts, i) },
    { name: 'satisfied', type: 'boolean', en: 'Satisfied at the last follow-up visit; empty without one', zh: '最近回访是否满意', value: (p, i) => at(p.lastSatisfied, i) },
    { name: 'satisfaction', type: 'string', en: 'Satisfaction at the last follow-up visit (SATISFIED, BASICALLY_SATISFIED, DISSATISFIED)', zh: '最近回访满意度', value: (p, i) => at(p.lastSatisfactionLevels, i) },
  ],
};

const welfareCrossCheck: ColumnDataset<WelfareEntitlementColumnsPage> = {
  name: 'welfare-cross-check',
  title: { en: 'Social assistance recipients (低保, 特困) with the houses they own', zh: '低保特困对象房产比对' },
  operationName: 'DatasetWelfareCrossCheck',
  document: operation('welfare-cross-check.graphql'),
  scopes: [['welfare:read', 'resident:read']],
  page: (data) => (data as DatasetWelfareCrossCheckQuery).welfareEntitlementColumns,
  size: (page) => page.ids.length,
  gridOf: (page, i) => page.gridCodes[i] as string,
  columns: [
    { name: 'entitlement_id', type: 'string', en: 'Welfare entitlement id', zh: '救助编号', value: (p, i) => at(p.ids, i) },
    { name: 'resident_id', type: 'string', en: 'Pseudonymous id of the recipient', zh: '救助对象标识', value: (p, i) => at(p.residentIds, i) },
    ...placeColumnsOfPage<WelfareEntitlementColumnsPage>(),
    { name: 'kind', type: 'string', en: 'Kind of assistance (MINIMUM_LIVING, EXTREME_POVERTY)', zh: '救助类别', value: (p, i) => at(p.kinds, i) },
    { name: 'status', type: 'string', en: 'Status', zh: '状态', value: (p, i) => at(p.statuses, i) },
    { name: 'monthly_amount', type: 'double', en: 'Monthly amount (yuan)', zh: '月救助金额（元）', value: (p, i) => at(p.monthlyAmounts, i) },
    { name: 'starts_on', type: 'date', en: 'First day', zh: '起始日期', value: (p, i) => at(p.startsOns, i) },
    { name: 'houses_owned', type: 'integer', en: 'Houses registered in the recipient’s name', zh: '名下房产套数', value: (p, i) => at(p.ownedHouses, i) },
    { name: 'total_area_m2', type: 'double', en: 'Their total floor area (m²)', zh: '名下房产总面积（平方米）', value: (p, i) => at(p.ownedAreasM2, i) },
  ],
};

const partyMembersByGrid: ColumnDataset<PartyMemberColumnsPage> = {
  name: 'party-members-by-grid',
  title: { en: 'Party members by grid, pseudonymous, with their branch and points', zh: '网格党员（去标识化）' },
  operationName: 'DatasetPartyMembersByGrid',
  document: operation('party-members-by-grid.graphql'),
  scopes: [['party:read', 'resident:read']],
  page: (data) => (data as DatasetPartyMembersByGridQuery).partyMemberColumns,
  size: (page) => page.residentIds.length,
  gridOf: (page, i) => page.gridCodes[i] as string,
  columns: [
    { name: 'resident_id', type: 'string', en: 'Pseudonymous resident id', zh: '党员标识（去标识化）', value: (p, i) => at(p.residentIds, i) },
    ...placeColumnsOfPage<PartyMemberColumnsPage>(),
    { name: 'member_type', type: 'string', en: 'Member type (employed, floating, retired)', zh: '党员类型', value: (p, i) => at(p.statuses, i) },
    { name: 'probationary', type: 'boolean', en: 'Probationary member', zh: '是否预备党员', value: (p, i) => (p.fullMemberOns ? p.fullMemberOns[i] == null : null) },
    { name: 'joined_on', type: 'date', en: 'Joined the party', zh: '入党日期', value: (p, i) => at(p.joinedOns, i) },
    { name: 'full_member_on', type: 'date', en: 'Became a full member', zh: '转正日期', value: (p, i) => at(p.fullMemberOns, i) },
    { name: 'branch_id', type: 'string', en: 'Branch id', zh: '所在党组织编号', value: (p, i) => at(p.branchIds, i) },
    { name: 'branch', type: 'string', en: 'Branch', zh: '所在党组织', value: (p, i) => at(p.branchNames, i) },
    { name: 'branch_level', type: 'string', en: 'Branch level', zh: '党组织层级', value: (p, i) => at(p.branchLevels, i) },
    { name: 'points', type: 'integer', en: 'Service points', zh: '积分', value: (p, i) => at(p.points, i) },
    { name: 'sex', type: 'string', en: 'Sex', zh: '性别', value: (p, i) => at(p.sexes, i) },
    { name: 'age_band', type: 'string', en: 'Age band', zh: '年龄段', value: (p, i) => ageBand(at(p.ages, i)) },
    { name: 'population_type', type: 'string', en: 'Population type', zh: '人口类型', value: (p, i) => at(p.populationTypes, i) },
  ],
};

const careLists: ColumnDataset<CareRecordColumnsPage> = {
  name: 'care-lists',
  title: { en: 'Care lists by grid (left-behind, living alone, empty-nest, orphans), pseudonymous', zh: '网格关爱对象（去标识化）' },
  operationName: 'DatasetCareLists',
  document: operation('care-lists.graphql'),
  scopes: [['welfare:read', 'resident:read']],
  page: (data) => (data as DatasetCareListsQuery).careRecordColumns,
  size: (page) => page.ids.length,
  gridOf: (page, i) => page.gridCodes[i] as string,
  columns: [
    { name: 'care_id', type: 'string', en: 'Care-list entry id', zh: '关爱编号', value: (p, i) => at(p.ids, i) },
    { name: 'resident_id', type: 'string', en: 'Pseudonymous resident id', zh: '关爱对象标识（去标识化）', value: (p, i) => at(p.residentIds, i) },
    ...placeColumnsOfPage<CareRecordColumnsPage>(),
    { name: 'kind', type: 'string', en: 'List (LIVING_ALONE_ELDERLY, EMPTY_NEST_ELDERLY, LEFT_BEHIND_*, ORPHAN, UNSUPPORTED_CHILD)', zh: '关爱类别', value: (p, i) => at(p.kinds, i) },
    { name: 'listed_on', type: 'date', en: 'Put on the list', zh: '纳入日期', value: (p, i) => at(p.listedOns, i) },
    { name: 'sex', type: 'string', en: 'Sex', zh: '性别', value: (p, i) => at(p.sexes, i) },
    { name: 'age_band', type: 'string', en: 'Age band', zh: '年龄段', value: (p, i) => ageBand(at(p.ages, i)) },
  ],
};

/** A column as the catalog and the writers know it: its name, type and description in both languages. */
export interface ColumnSpec {
  name: string;
  type: ColumnType;
  en: string;
  zh: string;
}

/** A page turned into rows, with the instant each row is dated by when the dataset has one. */
export interface RowPage {
  rows: Cell[][];
  dates: string[] | null;
  hasNextPage: boolean;
  endCursor: string | null;
}

/** A dataset with its node type closed over: what the engine runs. */
interface DatasetSpecBase {
  name: string;
  title: { en: string; zh: string };
  operationName: string;
  document: string;
  scopes: Scope[][];
  columns: ColumnSpec[];
  datedBy: boolean;
  /** Datasets whose rows are communities: runs of grids end where a community does. */
  wholeCommunities: boolean;
}

/** A dataset the engine runs: its operation reads one column page of many grids (`$gridCodes`, `$first`, `$after`). */
export type DatasetSpec = DatasetSpecBase & { rowsOf: (data: unknown, places: ReadonlyMap<string, GridPlace>) => RowPage | null };

function columnSpec<TPage>(dataset: ColumnDataset<TPage>): DatasetSpec {
  const values = dataset.columns.map((column) => column.value);
  const { dateOf } = dataset;
  return {
    name: dataset.name,
    title: dataset.title,
    operationName: dataset.operationName,
    document: dataset.document,
    scopes: dataset.scopes,
    columns: dataset.columns.map(({ name, type, en, zh }) => ({ name, type, en, zh })),
    datedBy: dateOf !== undefined,
    wholeCommunities: dataset.rowsPer === 'community',
    rowsOf: (data, places) => {
      const page = dataset.page(data);
      if (!page) return null;
      const rows: Cell[][] = new Array(dataset.size(page));
      for (let i = 0; i < rows.length; i++) {
        const place = places.get(dataset.gridOf(page, i));
        // A department answering for a grid not asked for would be a bug; the row is not guessed at.
        if (!place) throw new Error(`${dataset.name}: row ${i} lies in a grid the page was not asked for`);
        rows[i] = values.map((value) => value(page, i, place));
      }
      const dates = dateOf ? Array.from(rows, (_, i) => dateOf(page, i)) : null;
      return { rows, dates, hasNextPage: page.hasNextPage, endCursor: page.endCursor };
    },
  };
}

/** Every dataset, by name. */
export const DATASETS: ReadonlyMap<string, DatasetSpec> = new Map(
  [
    columnSpec(residentsByGrid),
    columnSpec(disabilityByGrid),
    columnSpec(assistanceGrantsByGrid),
    columnSpec(groupRentals),
    columnSpec(cases),
    columnSpec(welfareCrossCheck),
    columnSpec(partyMembersByGrid),
    columnSpec(careLists),
    columnSpec(reportInsByCommunity),
    columnSpec(volunteersByCommunity),
  ].map((d) => [d.name, d]),
);

export const PLACES_OPERATION = { operationName: 'DatasetPlaces', document: operation('places.graphql') };

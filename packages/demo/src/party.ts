/**
 * Party-building records of a grid: its branches (and, in seat grids, the community's committee or general branch and
 * the street's working committee), members (6-8% of adults), "three meetings and one lesson" and the monthly theme
 * party day over the last twelve months, service points. Residential branches keep the retired members; members in
 * work keep their membership in their work unit's organization and floating members in their origin's, and both
 * report in to the community they live in (双报到, 流动党员报到).
 */
import { pad, topicRng } from './community.ts';
import { addYears, dayOf, isoOf, monthOf, yearOf } from './dates.ts';
import { LAST_DAY, dayBetween, weightedSample, type GridFacts } from './facts.ts';
import type { GridOrganizations } from './organizations.ts';

import type {
  DemoPostClaim,
  DemoVolunteer,
  DemoPartyReportIn,
  DemoPartyActivity,
  DemoPartyMember,
  DemoPartyOrganization,
  DemoPartyRecords,
  DemoPointsEntry,
  DemoResident,
  PartyActivityKind,
} from './types.ts';

const LESSONS = ['学习贯彻党的二十届三中全会精神', '践行全过程人民民主', '基层治理现代化与网格化服务', '党员先锋模范作用', '学习新修订的《中国共产党纪律处分条例》', '弘扬淮海战役精神', '推进平安建设'];
const THEMES = ['重温入党誓词', '学习党章党规', '网格走访联系群众', '清洁家园志愿行动', '学习《关于新时代党的建设总要求》', '红色教育基地参观学习', '为民办实事项目议事'];
/** Work units whose party organizations keep in-service members living in the district (their 双报到 comes here). */
const WORK_UNITS = [
  ['徐州市泉山区人民法院', '机关支部委员会'], ['徐州市中心医院', '第三支部委员会'], ['中国矿业大学', '机电工程学院教工第一支部委员会'],
  ['江苏师范大学', '文学院教工支部委员会'], ['徐州市公安局泉山分局', '机关第二支部委员会'], ['徐工集团工程机械股份有限公司', '结构件分厂支部委员会'],
  ['国网徐州供电公司', '营销部支部委员会'], ['徐州市自然资源和规划局', '机关第一支部委员会'], ['徐州市泉山区教育局', '机关支部委员会'],
  ['中国银行徐州分行', '营业部支部委员会'], ['徐州地铁集团有限公司', '运营分公司第二支部委员会'], ['徐州市第一中学', '教工第二支部委员会'],
  ['徐州市泉山区人民政府', '办公室机关支部委员会'], ['徐州医科大学附属医院', '心内科支部委员会'], ['江苏徐钢钢铁集团有限公司', '炼钢厂支部委员会'],
] as const;
/** In-service members had to report in to their communities from 2015 (in-service members' 双报到 in Jiangsu). */
const REPORT_IN_SINCE = dayOf(2015, 6, 1);
/** Of all members chosen, the share kept in residential branches (the retired) is about 0.36: see `communityPartyLevel`. */
const RESIDENTIAL_MEMBER_SHARE = 0.36;
const ADULT_SHARE = 0.82;
const MEMBER_SHARE = 0.07;

/**
 * The community's own party organization (PG): a committee (社区党委) when its residential branches will hold 100
 * members or more, else a general branch (党总支). Decided before the community's grids are generated, from their
 * planned population, so a community near 100 may land either side.
 */
export function communityPartyLevel(facts: GridFacts): 'COMMITTEE' | 'GENERAL_BRANCH' {
  const planned = facts.world.plans.reduce((n, p) => (p.community.code === facts.info.community.code ? n + p.targetResidents : n), 0);
  return planned * ADULT_SHARE * MEMBER_SHARE * RESIDENTIAL_MEMBER_SHARE >= 100 ? 'COMMITTEE' : 'GENERAL_BRANCH';
}

const SERVICES = ['小区环境卫生整治', '关爱独居老人上门走访', '反诈宣传进楼栋', '文明交通劝导', '垃圾分类督导', '义务理发和家电维修', '防汛巡查', '疫苗接种和义诊服务保障'];

interface Member {
  index: number;
  record: DemoPartyMember;
  branch: number;

}

export function party(facts: GridFacts, orgs: GridOrganizations): DemoPartyRecords {
  const { grid, residents, ages, birthDays, info, seed, session } = facts;
  const rng = topicRng(seed, grid.code, 'party');
  const adults: number[] = [];
  residents.forEach((_, i) => {
    if ((ages[i] as number) >= 18) adults.push(i);
  });
  const nMembers = Math.round(adults.length * rng.real(0.06, 0.08));
  const weight = (i: number) => {
    const age = ages[i] as number;
    if (addYears(birthDays[i] as number, 18) >= LAST_DAY) return 0; // joined after the 18th birthday, before today
    // Members are Chinese citizens: not foreigners or 港澳台 compatriots; unsettled citizens (未落户, no ID number yet) may be.
    const document = residents[i]?.document;
    if (document && document.type !== 'NONE') return 0;
    const base = age >= 60 ? 1.6 : age >= 35 ? 1 : age >= 22 ? 0.7 : 0.15;
    // Unsettled adults are mostly people between two registrations (discharged soldiers, returnees, students): as
    // likely members as the registered.
    const type = residents[i]?.populationType;
    return type === 'FLOATING' ? base * 0.6 : type === 'REGISTERED' || type === 'UNSETTLED' ? base : base * 0.3;
  };
  const chosen = weightedSample(rng, adults, weight, nMembers).sort((a, b) => a - b);
  const branches = orgs.branchIds;

  const everyone: Member[] = chosen.map((i, k) => {
    const r = residents[i] as DemoResident;
    const age = ages[i] as number;
    const birth = birthDays[i] as number;
    const status: DemoPartyMember['status'] = r.populationType === 'FLOATING'
      ? 'FLOATING'
      : age >= 60 || (r.sex === 'FEMALE' && age >= 55 && rng.chance(0.7)) ? 'RETIRED' : 'EMPLOYED';
    const adult = addYears(birth, 18);
    const latestFull = LAST_DAY - 366;
    const probationary = adult > latestFull || rng.chance(0.03);
    let joined: number;
    if (probationary) {
      joined = dayBetween(rng, Math.max(adult, LAST_DAY - 330), LAST_DAY - 1);
    } else {
      const span = Math.min(age - 18, 40);
      joined = Math.min(latestFull, addYears(adult, Math.floor(span * rng.next() ** 1.6)) + rng.int(0, 364));
      if (joined < adult) joined = adult;
    }
    const year = yearOf(joined);
    return {
      index: i,
      branch: branches.length === 0 ? 0 : k % branches.length,

      record: {
        idNumber: r.idNumber,
        organizationId: branches[k % Math.max(1, branches.length)] as string,
        memberNumber: `DY${year}${pad(session.memberNumbers.next(year), 6)}`,
        status,
        joinedOn: isoOf(joined),
        fullMemberOn: probationary ? null : isoOf(addYears(joined, 1)),
      },
    };
  });

  // Only the retired stay in the residential branches; the rest report in to the community.
  const members: Member[] = everyone.filter((m) => m.record.status === 'RETIRED');
  members.forEach((m, k) => {
    m.branch = branches.length === 0 ? 0 : k % branches.length;
    m.record.organizationId = branches[k % Math.max(1, branches.length)] as string;
  });
  const reportIns: DemoPartyReportIn[] = everyone
    .filter((m) => m.record.status !== 'RETIRED')
    .map((m, k) => {
      const r = residents[m.index] as DemoResident;
      const joined = dayOfIsoDate(m.record.joinedOn);
      const floating = m.record.status === 'FLOATING';
      const unit = rng.pick(WORK_UNITS);
      const from = Math.max(joined, floating && r.floating ? dayOfIsoDate(r.floating.inflowDate) : REPORT_IN_SINCE);
      return {
        id: `BD${grid.code}${pad(k + 1, 4)}`,
        idNumber: r.idNumber,
        gridCode: grid.code,
        kind: floating ? 'FLOATING' : 'IN_SERVICE',
        organizationId: info.generalBranchId,
        membershipOrganization: floating ? originOrganization(r.floating?.originAddress ?? '') : `中共${unit[0]}${unit[1]}`,
        workUnit: floating ? null : unit[0],
        joinedOn: m.record.joinedOn,
        reportedOn: isoOf(dayBetween(rng, Math.min(from, LAST_DAY), LAST_DAY)),
      };
    });

  // Organizations detailed here: the grid's branches, and the general branch and street committee in their seats.
  const organizations: DemoPartyOrganization[] = [];
  const byBranch = branches.map((_, b) => members.filter((m) => m.branch === b));
  const secretaryOf = (list: Member[]) => {
    const full = list.filter((m) => m.record.fullMemberOn !== null && m.record.status !== 'FLOATING');
    const pool = full.length > 0 ? full : list;
    return pool.length === 0 ? null : (residents[rng.pick(pool).index] as DemoResident).idNumber;
  };
  const founded = new Map(orgs.list.map((o) => [o.id, o.registeredOn]));
  if (facts.isStreetSeat) {
    organizations.push({
      organizationId: info.streetCommitteeId,
      level: 'COMMITTEE',
      parentId: null,
      servesCommunityCode: info.streetFirstCommunityCode,
      servesGridCode: null,
      secretaryIdNumber: secretaryOf(members),
      foundedOn: founded.get(info.streetCommitteeId) as string,
    });
  }
  if (facts.isFirstGrid) {
    organizations.push({
      organizationId: info.generalBranchId,
      level: communityPartyLevel(facts),
      parentId: info.streetCommitteeId,
      servesCommunityCode: info.community.code,
      servesGridCode: null,
      secretaryIdNumber: secretaryOf(members),
      foundedOn: founded.get(info.generalBranchId) as string,
    });
  }
  branches.forEach((id, b) => {
    organizations.push({
      organizationId: id,
      level: 'BRANCH',
      parentId: info.generalBranchId,
      servesCommunityCode: info.community.code,
      servesGridCode: grid.code,
      secretaryIdNumber: secretaryOf(byBranch[b] ?? []),
      foundedOn: founded.get(id) as string,
    });
  });

  // Activities of the last twelve months and the points they earn.
  const activities: DemoPartyActivity[] = [];
  const points: DemoPointsEntry[] = [];
  const ledger = new Map<Member, number>();
  const award = (m: Member, activityId: string | null, value: number, reason: string, on: number) => {
    const seq = (ledger.get(m) ?? 0) + 1;
    ledger.set(m, seq);
    points.push({
      id: `JF${m.record.memberNumber}${pad(seq, 3)}`,
      memberIdNumber: m.record.idNumber,
      activityId,
      points: value,
      reason,
      awardedOn: isoOf(Math.min(LAST_DAY, on)),
    });
  };
  branches.forEach((branchId, b) => {
    const list = byBranch[b] ?? [];
    if (list.length === 0) return;
    const committee = list.slice(0, Math.min(list.length, 3 + Math.floor(list.length / 15)));
    const groups = Math.max(1, Math.ceil(list.length / 12));
    const planned: { kind: PartyActivityKind; day: number; title: string }[] = [];
    const start = LAST_DAY - 364;
    const monthStart = (k: number) => start + Math.floor((k * 365) / 12);
    const lessonMonths = new Set(rng.shuffle([...Array(12).keys()]).slice(0, rng.int(2, 4)));
    const serviceMonths = rng.shuffle([...Array(12).keys()]).slice(0, rng.int(3, 6));
    for (let k = 0; k < 12; k++) {
      const from = monthStart(k);
      const to = monthStart(k + 1) - 1;
      const month = monthOf(from + 15);
      planned.push({ kind: 'COMMITTEE_MEETING', day: dayBetween(rng, from, to), title: `${month}月支部委员会会议` });
      planned.push({ kind: 'GROUP_MEETING', day: dayBetween(rng, from, to), title: `${month}月党小组会` });
      if (k % 3 === 2) planned.push({ kind: 'BRANCH_ASSEMBLY', day: dayBetween(rng, from, to), title: `${yearOf(from + 15)}年第${Math.ceil(month / 3)}季度支部党员大会` });
      if (lessonMonths.has(k)) planned.push({ kind: 'PARTY_LESSON', day: dayBetween(rng, from, to), title: `专题党课：${rng.pick(LESSONS)}` });
      planned.push({ kind: 'THEME_PARTY_DAY', day: dayBetween(rng, from, to), title: `${month}月主题党日：${rng.pick(THEMES)}` });
      if (serviceMonths.includes(k)) planned.push({ kind: 'VOLUNTEER_SERVICE', day: dayBetween(rng, from, to), title: `志愿服务：${rng.pick(SERVICES)}` });
    }
    planned.sort((x, y) => x.day - y.day);
    planned.forEach((p, k) => {
      const id = `HD${branchId}${pad(k + 1, 3)}`;
      const attend = (m: Member, p0: number) => rng.chance(m.record.status === 'FLOATING' ? p0 * 0.5 : p0);
      let attendees: Member[];
      if (p.kind === 'COMMITTEE_MEETING') attendees = committee.filter((m) => attend(m, 0.95));
      else if (p.kind === 'GROUP_MEETING') attendees = list.filter((m, j) => j % groups === k % groups && attend(m, 0.9));
      else if (p.kind === 'BRANCH_ASSEMBLY') attendees = list.filter((m) => attend(m, 0.88));
      else if (p.kind === 'PARTY_LESSON') attendees = list.filter((m) => attend(m, 0.8));
      else if (p.kind === 'THEME_PARTY_DAY') attendees = list.filter((m) => attend(m, 0.85));
      else attendees = list.filter((m) => attend(m, 0.3));
      if (attendees.length === 0) attendees = [rng.pick(list)];
      activities.push({
        id,
        organizationId: branchId,
        kind: p.kind,
        heldOn: isoOf(p.day),
        title: p.title,
        attendeeIdNumbers: attendees.map((m) => m.record.idNumber),
      });
      if (p.kind === 'BRANCH_ASSEMBLY' || p.kind === 'PARTY_LESSON' || p.kind === 'THEME_PARTY_DAY') {
        const value = p.kind === 'PARTY_LESSON' ? 3 : 2;
        for (const m of attendees) award(m, id, value, `参加${p.kind === 'BRANCH_ASSEMBLY' ? '支部党员大会' : p.kind === 'PARTY_LESSON' ? '党课学习' : '主题党日活动'}`, p.day);
        if (p.kind === 'BRANCH_ASSEMBLY') {
          // Now and then someone who stayed away without leave loses points.
          const present = new Set(attendees);
          for (const m of list) {
            if (!present.has(m) && m.record.status !== 'FLOATING' && rng.chance(0.1)) award(m, id, -2, '无故缺席支部党员大会', p.day + rng.int(1, 7));
          }
        }
      } else if (p.kind === 'VOLUNTEER_SERVICE') {
        for (const m of attendees) award(m, id, rng.int(5, 10), `参加${p.title}`, p.day);
      }
    });
    for (const m of list) {
      if (rng.chance(0.02)) award(m, null, -3, '未按规定按时交纳党费', dayBetween(rng, LAST_DAY - 300, LAST_DAY));
    }
  });

  const { volunteers, postClaims } = volunteering(facts, everyone.map((m) => m.index), reportIns);
  return { organizations, members: members.map((m) => m.record), reportIns, volunteers, postClaims, activities, points };
}

const POSTS = ['楼栋长', '文明劝导岗', '政策宣讲岗', '环境卫生监督岗', '平安巡逻岗', '矛盾纠纷调解岗', '关爱老人服务岗', '垃圾分类督导岗'];
/** Members in work who claim a post where they report in, and retired members who do (岗位认领). */
const IN_SERVICE_CLAIM_SHARE = 0.7;
const RETIRED_CLAIM_SHARE = 0.3;
/** Party members on the volunteer register, other adults on it, and 民情监督员 (the seed: 1,000+ in a district of ~1 million). */
const MEMBER_VOLUNTEER_SHARE = 0.35;
const ADULT_VOLUNTEER_SHARE = 0.015;
const MONITOR_PER_ADULT = 0.0014; // adults of 18-75 are about 70% of residents: 0.1% of residents

/**
 * The community's volunteer register and the posts members claim, from a stream of their own. Volunteers are party
 * members (most of them) and other adults of 18-75; a few are 民情监督员 (monitors), who need not be members.
 */
function volunteering(facts: GridFacts, memberIndices: number[], reportIns: DemoPartyReportIn[]): { volunteers: DemoVolunteer[]; postClaims: DemoPostClaim[] } {
  const { grid, residents, ages, info, seed } = facts;
  const rng = topicRng(seed, grid.code, 'volunteers');
  const community = info.community.name;
  const members = new Set(memberIndices);
  const chosen: { i: number; role: DemoVolunteer['role'] }[] = [];
  residents.forEach((resident, i) => {
    const age = ages[i] as number;
    // The register names its volunteers by citizen ID number, as the import does.
    if (age < 18 || age > 75 || resident.document !== null) return;
    if (rng.chance(MONITOR_PER_ADULT)) chosen.push({ i, role: 'MONITOR' });
    else if (rng.chance(members.has(i) ? MEMBER_VOLUNTEER_SHARE : ADULT_VOLUNTEER_SHARE)) chosen.push({ i, role: 'VOLUNTEER' });
  });
  const teams = [`${community}党员志愿服务队`, `${community}平安志愿者服务队`, `${community}邻里互助志愿服务队`];
  const volunteers: DemoVolunteer[] = chosen.map(({ i, role }, k) => ({
    id: `ZY${grid.code}${pad(k + 1, 4)}`,
    idNumber: (residents[i] as DemoResident).idNumber,
    gridCode: grid.code,
    team: role === 'MONITOR' ? `${info.street.name}民情监督员队伍` : members.has(i) ? teams[0]! : rng.pick(teams.slice(1)),
    role,
    partyMember: members.has(i),
    serviceHours: Math.round(rng.real(role === 'MONITOR' ? 40 : 4, role === 'MONITOR' ? 160 : 120) * 10) / 10,
    registeredOn: isoOf(dayBetween(rng, Math.max(LAST_DAY - 8 * 365, addYears(facts.birthDays[i] as number, 18)), LAST_DAY - 1)),
  }));
  const postClaims: DemoPostClaim[] = [];
  const claim = (i: number, from: number) =>
    postClaims.push({
      id: `GW${grid.code}${pad(postClaims.length + 1, 4)}`,
      idNumber: (residents[i] as DemoResident).idNumber,
      gridCode: grid.code,
      organizationId: info.generalBranchId,
      post: rng.pick(POSTS),
      claimedOn: isoOf(dayBetween(rng, Math.min(from, LAST_DAY), LAST_DAY)),
    });
  const reported = new Map(reportIns.map((b) => [b.idNumber, b]));
  for (const i of memberIndices) {
    const b = reported.get((residents[i] as DemoResident).idNumber);
    if (b) {
      if (b.kind === 'IN_SERVICE' && rng.chance(IN_SERVICE_CLAIM_SHARE)) claim(i, dayOfIsoDate(b.reportedOn));
    } else if (rng.chance(RETIRED_CLAIM_SHARE)) claim(i, LAST_DAY - 3 * 365);
  }
  return { volunteers, postClaims };
}

const dayOfIsoDate = (iso: string) => dayOf(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)), Number(iso.slice(8, 10)));

/** The party organization of a floating member's origin, from the origin address down to its village or community. */
function originOrganization(originAddress: string): string {
  const place = /^(.*?(?:村|社区|居委会))/.exec(originAddress)?.[1];
  return place ? `中共${place.replace(/居委会$/, '社区')}支部委员会` : `中共${originAddress.slice(0, 12)}流动党员党支部`;
}



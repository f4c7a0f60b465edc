/** The records of the demo district, as the departments would hold them. Plain data, no database types. */

export type Sex = 'MALE' | 'FEMALE';
export type PopulationType = 'REGISTERED' | 'FLOATING' | 'OVERSEAS' | 'UNSETTLED';
export type TownshipKind = 'STREET' | 'TOWN' | 'TOWNSHIP';
export type CommunityKind = 'COMMUNITY' | 'VILLAGE';

export interface DemoDistrict {
  code: string; // 6-digit division code
  name: string; // e.g. 泉山区
  cityName: string;
  provinceName: string;
}

export interface DemoStreet {
  code: string; // 12 digits, ending 000
  name: string;
  kind: TownshipKind;
  districtCode: string;
}

export interface DemoCommunity {
  code: string; // 12 digits
  name: string;
  kind: CommunityKind;
  streetCode: string;
  /** Area in square kilometres. */
  areaKm2: number;
}

export interface DemoGrid {
  code: string; // community code + 3-digit sequence
  name: string; // e.g. 湖滨社区第3网格
  communityCode: string;
  sequence: number;
}

export interface DemoGridWorker {
  gridCode: string;
  /** The worker is also a resident of the register: the same ID number appears there. */
  idNumber: string;
  name: string;
  phone: string;
  role: 'FULL_TIME' | 'PART_TIME';
  startedOn: string; // YYYY-MM-DD
}

export interface DemoBuilding {
  /** Community code + 5-digit building number (00001-99999 within the community). */
  code: string;
  gridCode: string;
  number: number;
  address: string;
  floors: number;
  units: number;
  use: 'RESIDENTIAL' | 'MIXED' | 'COMMERCIAL';
  builtYear: number;
}

export interface DemoHouse {
  /** `<building code>-<unit 2 digits>-<room 4 digits>`, e.g. 32031100100100012-02-0301 */
  code: string;
  buildingCode: string;
  gridCode: string;
  unit: number;
  room: string;
  areaM2: number;
  rooms: number;
  address: string;
}

export interface DemoFloatingDetails {
  inflowReason: 'WORK' | 'BUSINESS' | 'STUDY' | 'FAMILY' | 'MEDICAL' | 'OTHER';
  inflowDate: string; // YYYY-MM-DD
  originAddress: string;
  residencePermitNumber: string | null;
  residencePermitExpiresOn: string | null;
}

/** A document of a person without a citizen ID (境外人员的护照/通行证/永久居留身份证; 未落户人员的登记编号). */
export interface DemoDocument {
  type: 'PASSPORT' | 'HK_MACAO_PERMIT' | 'TAIWAN_PERMIT' | 'FOREIGN_PERMANENT_RESIDENCE' | 'NONE';
  number: string;
  /** ISO 3166-1 alpha-3; CHN for compatriots from Hong Kong, Macao and Taiwan and for unsettled people. */
  nationality: string;
}

/** An overseas person's stay: entry and what allows it. */
export interface DemoOverseasDetails {
  entryDate: string;
  permitKind: 'VISA' | 'RESIDENCE_PERMIT' | 'PERMANENT_RESIDENCE';
  permitNumber: string | null;
  permitExpiresOn: string | null;
  employerOrSchool: string | null;
}

export type ResidenceStatus = 'RESIDENT_AND_REGISTERED' | 'RESIDENT_NOT_REGISTERED' | 'REGISTERED_NOT_RESIDENT';

export interface DemoResident {
  /**
   * The number every department keys the person by: a valid 18-character citizen ID number, or for people who hold
   * none (overseas, unsettled) the key of their document (`documentKey` of @hub/core, e.g. PASSPORT:KOR:M00001234).
   */
  idNumber: string;
  /** Null for citizens with an ID card. */
  document: DemoDocument | null;
  name: string;
  sex: Sex;
  birthDate: string; // YYYY-MM-DD, equal to the ID number's
  phone: string | null;
  populationType: PopulationType;
  registeredAddress: string;
  /** The house this person actually lives in. */
  houseCode: string;
  gridCode: string;
  /** Household: the people of one house share it; the head's relation is SELF. */
  householdId: string;
  relationToHead: 'SELF' | 'SPOUSE' | 'CHILD' | 'PARENT' | 'GRANDCHILD' | 'OTHER_RELATIVE' | 'TENANT';
  floating: DemoFloatingDetails | null;
  overseas: DemoOverseasDetails | null;
  /** 人户分离; null for people with no hukou (overseas, unsettled). */
  residenceStatus: ResidenceStatus | null;
  /** The hukou county's division code and police station; null where there is no hukou (or the station is not known here). */
  hukouDivisionCode: string | null;
  hukouPoliceStation: string | null;
  /** The hukou household (户号) when the hukou is kept in this grid; null otherwise. */
  hukouHouseholdId: string | null;
  /** How the dwelling is held (居住方式): owned when a member of the household holds the house's certificate. */
  tenure: 'OWNED' | 'RENTED' | 'LODGING' | 'DORMITORY';
}

/**
 * A person registered here who lives elsewhere (户在人不在): on public security's register under the grid of the hukou
 * household, with no house here, so no other department's records of this grid name them.
 */
export interface DemoRegisteredAway {
  idNumber: string;
  name: string;
  sex: Sex;
  birthDate: string;
  phone: string | null;
  registeredAddress: string;
  gridCode: string;
  /** The hukou household here: one of the grid's, whose head lives here. */
  hukouHouseholdId: string;
  hukouDivisionCode: string;
  hukouPoliceStation: string;
  relationToHead: 'CHILD' | 'SPOUSE' | 'GRANDCHILD';
}

export interface DemoGridContents {
  grid: DemoGrid;
  buildings: DemoBuilding[];
  houses: DemoHouse[];
  /** The people living in the grid. */
  residents: DemoResident[];
  /** People registered in the grid but living elsewhere (户在人不在); not among `residents`. */
  registeredAway: DemoRegisteredAway[];
  workers: DemoGridWorker[];
  /** Every organization whose office lies in this grid, whichever department registered it (the directory). */
  organizations: DemoOrganization[];
  publicSecurity: DemoPublicSecurityRecords;
  civilAffairs: DemoCivilAffairsRecords;
  housing: DemoHousingRecords;
  party: DemoPartyRecords;
  mediation: DemoMediationRecords;
}

// ---------------------------------------------------------------------------------------------------------------
// Organizations: one directory across departments. Every id is `<2-letter kind prefix><12-digit community code>
// <3-digit sequence>` (e.g. PB320311001001003), a pure function of community and sequence, so a grid's records can
// name an organization registered in another grid of the same community without shared state.

export type OrganizationKind =
  | 'PARTY_ORGANIZATION' // 党组织 (prefixes PC committee, PG general branch, PB branch)
  | 'SOCIAL_ORGANIZATION' // 社会组织 (SO)
  | 'RESIDENTS_COMMITTEE' // 居民委员会 (RC)
  | 'VILLAGERS_COMMITTEE' // 村民委员会 (VC)
  | 'PROPERTY_COMPANY' // 物业服务企业 (PM)
  | 'OWNERS_COMMITTEE' // 业主委员会 (OC)
  | 'MEDIATION_COMMITTEE'
  | 'GOVERNMENT_AGENCY' // 机关 (GV): the district's housing authority, which holds the public rental housing
  | 'COMMUNITY_ORGANIZATION' // 社区社会组织 filed with the street (备案, CO): not registered, no credit code
  | 'ENTERPRISE' // 企业 (EN), registered by market regulation
  | 'INDIVIDUAL_BUSINESS' // 个体工商户 (IB), registered by market regulation
  | 'SCHOOL' // 学校、幼儿园 (SC), a public institution of education
  | 'CLINIC'; // 社区卫生服务站/村卫生室 (CL), a public institution of health // 人民调解委员会 (MC)

export interface DemoOrganization {
  id: string;
  kind: OrganizationKind;
  name: string;
  /** Valid GB 32100 code for every kind but party organizations and filed community organizations: null there. */
  creditCode: string | null;
  /** The grid its office lies in (community-level bodies sit in their community's first grid). */
  gridCode: string;
  communityCode: string;
  registeredOn: string;
  /** The department that registers and details it. */
  department: 'party' | 'civil-affairs' | 'housing' | 'mediation' | 'market-regulation' | 'education' | 'health';
}

// --- public security (公安) ----------------------------------------------------------------------------------
export type KeyPersonCategory =
  | 'COMMUNITY_CORRECTION'
  | 'RELEASED_PRISONER'
  | 'SEVERE_MENTAL_DISORDER'
  | 'DRUG_USER'
  | 'KEY_YOUTH'
  | 'AIDS_RISK';

export type OwningUnit = 'JUSTICE_OFFICE' | 'HEALTH' | 'NARCOTICS_CONTROL' | 'POLICE_STATION' | 'GOVERNANCE_CENTRE';

export interface DemoSpecialGroup {
  category: KeyPersonCategory;
  owningUnit: OwningUnit;
  since: string;
}

export interface DemoKeyPersonContact {
  contactedOn: string;
  byName: string;
  byUnit: OwningUnit;
  method: 'HOME_VISIT' | 'PHONE' | 'VIDEO' | 'INTERVIEW' | 'REPORT_IN';
  finding: string;
}

export interface DemoKeyPerson {
  id: string; // ZD + grid code + 3-digit seq
  idNumber: string; // a resident of this grid
  category: KeyPersonCategory;
  riskLevel: 'LOW' | 'MEDIUM' | 'HIGH';
  responsibleOfficerName: string;
  responsibleOfficerBadge: string; // 6 digits
  plan: string; // one person, one plan (一人一策), Chinese text
  since: string;
  /** For severe mental disorder: a guardian from the same household when there is one. */
  guardianIdNumber: string | null;
  /** Every special group the person belongs to, the record's own category first (a released prisoner may use drugs). */
  specialGroups: DemoSpecialGroup[];
  /** The responsible people besides the police officer: the owning units' workers. */
  officers: { name: string; unit: OwningUnit }[];
  /** Visits and contacts of the last months, oldest first. */
  contacts: DemoKeyPersonContact[];
}

export type IncidentType = 'DISPUTE' | 'THEFT' | 'FRAUD' | 'TRAFFIC' | 'NOISE' | 'DOMESTIC' | 'OTHER';

export interface DemoIncident {
  id: string; // JQ + YYYYMMDD + grid code + 3-digit seq
  occurredAt: string; // ISO 8601 with +08:00
  gridCode: string;
  address: string;
  type: IncidentType;
  summary: string;
  involvedIdNumbers: string[]; // residents of this grid
  /** 警调对接: referred to people's mediation; mediation then holds a case whose incidentId is this id. */
  referredToMediation: boolean;
  referredOn: string | null;
}

export interface DemoPublicSecurityRecords {
  keyPersons: DemoKeyPerson[];
  incidents: DemoIncident[];
}

// --- civil affairs (民政) ------------------------------------------------------------------------------------
export type WelfareKind =
  | 'MINIMUM_LIVING' // 最低生活保障 低保
  | 'EXTREME_POVERTY' // 特困人员供养
  | 'DISABILITY_LIVING' // 困难残疾人生活补贴
  | 'DISABILITY_CARE' // 重度残疾人护理补贴
  | 'OLD_AGE'; // 高龄津贴

export interface DemoWelfareEntitlement {
  id: string; // MZ + grid code + 4-digit seq
  idNumber: string; // a resident of this grid
  gridCode: string;
  kind: WelfareKind;
  monthlyAmount: number; // yuan, two decimals
  startsOn: string;
  endsOn: string | null;
  status: 'ACTIVE' | 'SUSPENDED' | 'ENDED';
  /** For the disability kinds: ID number + category digit (1-7) + grade digit (1-4); null otherwise. */
  disabilityCertificateNumber: string | null;
}

export interface DemoSocialOrganization {
  organizationId: string; // kind SOCIAL_ORGANIZATION
  type: 'SOCIAL_GROUP' | 'PRIVATE_NON_ENTERPRISE' | 'FOUNDATION';
  legalRepresentativeIdNumber: string;
  businessScope: string;
}

/** Care lists (关爱对象) civil affairs keeps, grid by grid: who is on them is a sensitive category of its own. */
export type CareKind =
  | 'LEFT_BEHIND_ELDERLY' // 农村留守老年人
  | 'LEFT_BEHIND_WOMAN' // 农村留守妇女
  | 'LEFT_BEHIND_CHILD' // 农村留守儿童
  | 'LIVING_ALONE_ELDERLY' // 独居老人
  | 'EMPTY_NEST_ELDERLY' // 空巢老人
  | 'ORPHAN' // 孤儿
  | 'UNSUPPORTED_CHILD'; // 事实无人抚养儿童

export interface DemoCareRecord {
  id: string; // GA + grid code + 4-digit seq
  idNumber: string; // a resident of this grid
  gridCode: string;
  kind: CareKind;
  listedOn: string;
}

/** The disability register (残疾人登记): every certificate holder, with an allowance or not. */
export interface DemoDisabilityRecord {
  id: string; // CJ + grid code + 4-digit seq
  idNumber: string;
  gridCode: string;
  /** ID number + category digit (1-7) + grade digit (1-4), as on the certificate (残疾人证). */
  certificateNumber: string;
  category: 1 | 2 | 3 | 4 | 5 | 6 | 7;
  grade: 1 | 2 | 3 | 4;
  issuedOn: string;
}

/** One-off assistance (临时救助) or medical assistance for one episode (医疗救助). */
export interface DemoAssistanceGrant {
  id: string; // JZ + grid code + 4-digit seq
  idNumber: string; // a resident of this grid
  gridCode: string;
  kind: 'TEMPORARY' | 'MEDICAL';
  reason: 'ACCIDENT' | 'DISASTER' | 'SUDDEN_ILLNESS' | 'EDUCATION' | 'LIVING_HARDSHIP' | 'OTHER' | 'INPATIENT' | 'OUTPATIENT_CHRONIC';
  amount: number; // yuan, two decimals
  grantedOn: string;
  approvingOffice: string;
  approverName: string;
  /** Set exactly for medical grants. */
  episode: { hospital: string; admittedOn: string; dischargedOn: string | null; eligibleCost: number; reimbursedPercent: number } | null;
}

export interface DemoCivilAffairsRecords {
  welfare: DemoWelfareEntitlement[];
  assistance: DemoAssistanceGrant[];
  socialOrganizations: DemoSocialOrganization[];
  care: DemoCareRecord[];
  disabilities: DemoDisabilityRecord[];
}

// --- housing (住建) ------------------------------------------------------------------------------------------
export interface DemoOwnership {
  houseCode: string; // a house of this grid
  /** Exactly one of the two owners is set. */
  ownerIdNumber: string | null;
  ownerOrganizationId: string | null;
  sharePercent: number; // 1-100; co-owners of one house add up to 100
  certificateNumber: string; // 不动产权证号, e.g. 苏(2019)徐州市不动产权第0012345号
  registeredOn: string;
}

export interface DemoTenancy {
  id: string; // ZL + grid code + 4-digit seq (rental registration 租赁登记备案)
  houseCode: string;
  landlordIdNumber: string | null;
  landlordOrganizationId: string | null;
  occupantIdNumbers: string[]; // residents of this grid who live in the house
  rooms: number;
  areaM2: number;
  monthlyRent: number;
  filingNumber: string | null; // null: not filed
  startsOn: string;
  endsOn: string;
}

export type GroupRentalStatus = 'IDENTIFIED' | 'INTERVIEWED' | 'RECTIFIED' | 'RELAPSED';

export interface DemoGroupRental {
  id: string; // QZ + grid code + 3-digit seq
  /**
   * A house of this grid let to floating tenants: crowded now on its usable area (IDENTIFIED, INTERVIEWED, RELAPSED),
   * or crowded when identified and no longer (RECTIFIED).
   */
  houseCode: string;
  status: GroupRentalStatus; // of identified: ~81% interviewed, ~44% rectified (DOMAIN.md section 5)
  identifiedOn: string;
  interviewedOn: string | null;
  /** Set for RECTIFIED and for RELAPSED (rectified, then found crowded again at re-inspection). */
  rectifiedOn: string | null;
  occupantCount: number; // people living there when identified
  /** Rooms partitioned off (隔断) and beds let one by one (床位出租) when identified. */
  partitioned: boolean;
  bedLetting: boolean;
  /** Re-inspections after rectification (复查): one for RECTIFIED (compliant) and RELAPSED (relapsed). */
  inspections: { inspectedOn: string; occupantCount: number; result: 'COMPLIANT' | 'RELAPSED' }[];
  note: string;
}

/** 房屋性质/产权性质 of a house as housing registers it. */
export type PropertyNature = 'COMMODITY' | 'PUBLIC_RENTAL' | 'REFORM' | 'RESETTLEMENT' | 'SELF_BUILT';
export type BuildingStructure = 'STEEL' | 'REINFORCED_CONCRETE' | 'BRICK_CONCRETE' | 'BRICK_WOOD' | 'OTHER';

export interface DemoHouseDetails {
  houseCode: string;
  /** Usable area (使用面积), m2: what the crowding rules measure, not the floor area (建筑面积). */
  usableAreaM2: number;
  propertyNature: PropertyNature;
}

export interface DemoBuildingDetails {
  buildingCode: string;
  structure: BuildingStructure;
}

export interface DemoPropertyCompany {
  organizationId: string; // kind PROPERTY_COMPANY (qualification grades were abolished in 2017-2018: none kept)
  managedBuildingCodes: string[]; // buildings of this grid it manages
}

export interface DemoOwnersCommittee {
  organizationId: string; // kind OWNERS_COMMITTEE
  electedOn: string;
  filedOn: string | null; // filed within 30 days of election, or not yet
  chairIdNumber: string; // an owner in this grid
  buildingCodes: string[];
}

export interface DemoHousingRecords {
  houses: DemoHouseDetails[];
  buildings: DemoBuildingDetails[];
  ownerships: DemoOwnership[];
  tenancies: DemoTenancy[];
  groupRentals: DemoGroupRental[];
  propertyCompanies: DemoPropertyCompany[];
  ownersCommittees: DemoOwnersCommittee[];
}

// --- party building (党建) -----------------------------------------------------------------------------------
export interface DemoPartyOrganization {
  organizationId: string; // kind PARTY_ORGANIZATION
  /**
   * PC: the street's working committee (街道党工委) or town committee (镇党委); PG: the community's own organization,
   * a committee (社区党委) with 100 or more members, else a general branch (党总支); PB: a branch.
   */
  level: 'COMMITTEE' | 'GENERAL_BRANCH' | 'BRANCH';
  parentId: string | null; // street committee > community committee or general branch > branch
  servesCommunityCode: string;
  /** Branches serve one grid (down to residential compounds); general branches and committees serve wider. */
  servesGridCode: string | null;
  secretaryIdNumber: string | null;
  foundedOn: string;
}

export interface DemoPartyMember {
  idNumber: string; // a resident of the grid the member's branch serves
  organizationId: string; // a BRANCH
  memberNumber: string; // internal, e.g. DY + 10 digits
  /** Residential branches keep retired members; employed and floating ones report in instead (DemoPartyReportIn). */
  status: 'EMPLOYED' | 'FLOATING' | 'RETIRED';
  joinedOn: string; // 入党 (probationary) date
  fullMemberOn: string | null; // 转正; null while probationary
}

export type PartyActivityKind =
  | 'BRANCH_ASSEMBLY' // 支部党员大会 (quarterly)
  | 'COMMITTEE_MEETING' // 支委会 (monthly)
  | 'GROUP_MEETING' // 党小组会 (monthly)
  | 'PARTY_LESSON' // 党课
  | 'VOLUNTEER_SERVICE' // 志愿服务
  | 'THEME_PARTY_DAY'; // 主题党日 (monthly)

export interface DemoPartyActivity {
  id: string; // HD + branch id + 3-digit seq
  organizationId: string;
  kind: PartyActivityKind;
  heldOn: string;
  title: string;
  attendeeIdNumbers: string[]; // members of the branch
}

export interface DemoPointsEntry {
  id: string; // JF + member number + 3-digit seq
  memberIdNumber: string;
  activityId: string | null;
  points: number; // positive earned, negative deducted
  reason: string;
  awardedOn: string;
}

/**
 * A member whose membership is kept elsewhere reporting in to the community they live in (报到): in-service members
 * (在职党员 双报到: their work unit's organization keeps them) and floating members (流动党员: their origin's does).
 */
export interface DemoPartyReportIn {
  id: string; // BD + grid code + 4-digit seq
  idNumber: string; // a resident of the grid
  gridCode: string;
  kind: 'IN_SERVICE' | 'FLOATING';
  /** The community's committee or general branch reported to. */
  organizationId: string;
  /** Where the membership is kept (所在党组织), outside the community's tree. */
  membershipOrganization: string;
  /** The work unit (工作单位) of an in-service member; null for floating members. */
  workUnit: string | null;
  joinedOn: string;
  reportedOn: string;
}

/** A volunteer on the community's register (志愿者): party members and others, the seed's 民情监督员 among them. */
export interface DemoVolunteer {
  id: string; // ZY + grid code + 4-digit seq
  idNumber: string; // a resident of the grid
  gridCode: string;
  team: string; // 志愿服务队
  role: 'VOLUNTEER' | 'MONITOR'; // MONITOR: 民情监督员
  partyMember: boolean;
  serviceHours: number; // over the last twelve months, one decimal
  registeredOn: string;
}

/** A post a member claims in the community (岗位认领), e.g. 楼栋长, 文明劝导岗. */
export interface DemoPostClaim {
  id: string; // GW + grid code + 4-digit seq
  idNumber: string;
  gridCode: string;
  organizationId: string; // the community's committee or general branch
  post: string;
  claimedOn: string;
}

export interface DemoPartyRecords {
  organizations: DemoPartyOrganization[];
  members: DemoPartyMember[];
  reportIns: DemoPartyReportIn[];
  volunteers: DemoVolunteer[];
  postClaims: DemoPostClaim[];
  activities: DemoPartyActivity[];
  points: DemoPointsEntry[];
}

// --- people's mediation (人民调解) ---------------------------------------------------------------------------
export type CaseCategory =
  | 'MARRIAGE_FAMILY'
  | 'NEIGHBOURS'
  | 'HOUSES_HOMESTEADS'
  | 'CONTRACTS'
  | 'PRODUCTION_BUSINESS'
  | 'DAMAGES'
  | 'FORESTS_LAND'
  | 'LAND_ACQUISITION_DEMOLITION'
  | 'ENVIRONMENT'
  | 'LABOUR'
  | 'CONSUMER'
  | 'MEDICAL'
  | 'ROAD_TRAFFIC'
  | 'PROPERTY_MANAGEMENT'
  | 'OTHER';

export type CaseSource =
  | 'PARTY_APPLICATION'
  | 'COMMITTEE_INITIATIVE'
  | 'POLICE_REFERRAL'
  | 'COURT_REFERRAL'
  | 'PETITION_REFERRAL'
  | 'GOVERNMENT_ASSIGNED'
  | 'GRID_WORKER_REPORT';

export type CaseStatus =
  | 'REPORTED'
  | 'ACCEPTED'
  | 'REJECTED'
  | 'DISPATCHED'
  | 'IN_PROGRESS'
  | 'RESOLVED'
  | 'CLOSED'
  | 'ESCALATED'
  // Lawful endings besides a resolution (人民调解法): a failed mediation terminated (art. 26), withdrawn or refused (art. 23).
  | 'TERMINATED'
  | 'WITHDRAWN';

export interface DemoMediationCommittee {
  organizationId: string; // kind MEDIATION_COMMITTEE
  type: 'COMMUNITY' | 'INDUSTRY';
  industry: 'PROPERTY' | 'HOUSING' | 'LAND' | 'AGRICULTURE' | 'MEDICAL' | 'LABOUR' | null;
}

export interface DemoMediator {
  id: string; // TY + committee id + 2-digit seq
  committeeId: string;
  name: string;
  idNumber: string | null; // set when the mediator is a resident of the register
  employment: 'FULL_TIME' | 'PART_TIME';
  background: 'LAWYER' | 'GRID_WORKER' | 'JUDGE' | 'PROSECUTOR' | 'POLICE' | 'ELDER' | 'OTHER';
}

export interface DemoCaseParty {
  /**
   * Exactly one is set: a resident of the case's grid (their ID number, or for one who holds none the document key the
   * register keys them by, as `DemoResident.idNumber`), or an organization of its community.
   */
  idNumber: string | null;
  organizationId: string | null;
  role: 'APPLICANT' | 'RESPONDENT';
}

export interface DemoCase {
  id: string; // TJ + grid code + 4-digit seq
  category: CaseCategory;
  source: CaseSource; // POLICE_REFERRAL exactly when incidentId is set
  gridCode: string;
  committeeId: string;
  mediatorId: string | null;
  status: CaseStatus;
  outcome: 'AGREEMENT_REACHED' | 'MEDIATION_FAILED' | 'HANDLED_BY_DEPARTMENT' | 'PARTIES_WITHDREW' | 'PARTIES_REFUSED' | null; // set once resolved or ended
  summary: string;
  receivedAt: string; // ISO 8601 with +08:00
  acceptedAt: string | null;
  resolvedAt: string | null;
  closedAt: string | null; // closed, or terminated or withdrawn (the day it ended)
  dueOn: string; // normally one month after acceptance
  /** A terminated mediation (MEDIATION_FAILED): the channels the parties were told of (art. 26); null otherwise. */
  informedChannels: ('ARBITRATION' | 'ADMINISTRATIVE' | 'JUDICIAL')[] | null;
  /**
   * A withdrawn case: the applicant withdrew (PARTIES_WITHDREW) or the respondent refused mediation (PARTIES_REFUSED),
   * before the case was dispatched (the centre records it) or while it was handled (art. 23); null otherwise.
   */
  withdrawal: { by: 'APPLICANT' | 'RESPONDENT'; beforeDispatch: boolean } | null;
  incidentId: string | null; // the police incident it was referred from
  houseCode: string | null; // the house in dispute (group rentals, neighbours, property management)
  parties: DemoCaseParty[];
  records: { heldOn: string; mediatorId: string; content: string }[];
  agreement: { reachedOn: string; terms: string; performBy: string; performed: boolean } | null;
  followUps: { visitedOn: string; satisfied: boolean; note: string }[];
}

export interface DemoMediationRecords {
  committees: DemoMediationCommittee[];
  mediators: DemoMediator[];
  cases: DemoCase[];
}

export interface DemoOptions {
  /** Number of residents in the whole district (approximate to within one household per grid). */
  residents: number;
  /** PRNG seed: the same seed and size always give the same district. */
  seed?: number;
  /**
   * Share of residents who are floating population (流动人口), 0 to 0.95; by default 0.22, a Xuzhou district. Suburbs
   * of the great cities reach 70 % and more (the seed's 嘉定新城 马陆镇: "70%以上是外来人员").
   */
  floatingShare?: number;
}

export interface DemoWorld {
  options: Required<DemoOptions>;
  district: DemoDistrict;
  streets: DemoStreet[];
  communities: DemoCommunity[];
  grids: DemoGrid[];
  /**
   * Each grid's contents, grid by grid in code order. Generated lazily so that a million residents never sit in
   * memory at once; every call starts afresh and yields identical records.
   */
  gridContents(): Iterable<DemoGridContents>;
}

/**
 * One grid's contents: its buildings and houses, the households living in them and the grid's workers.
 * Everything random comes from the grid's own PRNG stream; only the district-wide unique identifiers come from
 * counters shared by the pass (see allocators.ts).
 */
import { documentKey } from '@hub/core';
import type {
  DemoBuilding,
  DemoDocument,
  DemoFloatingDetails,
  DemoGridContents,
  DemoGridWorker,
  DemoHouse,
  DemoRegisteredAway,
  DemoResident,
  KeyPersonCategory,
  PopulationType,
  Sex,
} from './types.ts';
import { IdNumberAllocator, PermitAllocator, PhoneAllocator, YearSerial } from './allocators.ts';
import { REF_DAY, addYears, ageOn, dayOf, isoOf, yearOf } from './dates.ts';
import { composeHousehold, pickHouseholdSize, type HouseholdKind, type MemberSpec } from './household.ts';
import { foreignName, pickForeignFamilyName, pickGivenName, pickSurname } from './names.ts';
import { DISTRICT, ORIGIN_COUNTIES, ORIGIN_TOWNS, VILLAGE_FAMILIES, VILLAGE_SUFFIXES, XUZHOU_ID_CODES } from './places.ts';
import type { OriginCounty } from './places.ts';
import { Rng, WeightedTable } from './random.ts';
import type { GridPlan, WorldPlan } from './world.ts';
import { communityInfos, hashKey } from './community.ts';
import { gridRecords } from './records.ts';

/** Shares tuned so that people come out about 75% registered, 22% floating (the default), 0.7% overseas, 1% unsettled. */
const OVERSEAS_HOUSEHOLD_SHARE = 0.0075;
/** Residents living in group rentals, every one of them floating, whatever the floating share asked for. */
const GROUP_RENTAL_PERSON_SHARE = 0.054;
/** Registered households are this much bigger than floating ones (measured on the generator, 2.6 against 2.1). */
const REGISTERED_TO_FLOATING_SIZE = 1.211;

/**
 * The share of family households that must be floating for a share of residents: group rentals bring their floating
 * tenants first, and floating households are smaller than registered ones.
 */
export function floatingHouseholdShare(floatingShare: number): number {
  const families = Math.max(0, (floatingShare - GROUP_RENTAL_PERSON_SHARE) / (1 - GROUP_RENTAL_PERSON_SHARE));
  const k = REGISTERED_TO_FLOATING_SIZE;
  return Math.min(1 - OVERSEAS_HOUSEHOLD_SHARE, (families * k) / (families * k + 1 - families));
}

/**
 * Where overseas residents of a Xuzhou district come from: foreign students and staff of its universities and
 * foreign companies, Korean and Japanese families above all; compatriots from Hong Kong, Macao and Taiwan with their
 * travel permits. A few foreigners hold the permanent resident ID card (外国人永久居留身份证).
 */
const OVERSEAS_ORIGINS = new WeightedTable<{ nationality: string; document: DemoDocument['type'] }>([
  [{ nationality: 'KOR', document: 'PASSPORT' }, 20], [{ nationality: 'JPN', document: 'PASSPORT' }, 9],
  [{ nationality: 'USA', document: 'PASSPORT' }, 7], [{ nationality: 'PAK', document: 'PASSPORT' }, 8],
  [{ nationality: 'RUS', document: 'PASSPORT' }, 5], [{ nationality: 'VNM', document: 'PASSPORT' }, 5],
  [{ nationality: 'IND', document: 'PASSPORT' }, 4], [{ nationality: 'DEU', document: 'PASSPORT' }, 3],
  [{ nationality: 'GBR', document: 'PASSPORT' }, 3], [{ nationality: 'NGA', document: 'PASSPORT' }, 3],
  [{ nationality: 'KOR', document: 'FOREIGN_PERMANENT_RESIDENCE' }, 2], [{ nationality: 'USA', document: 'FOREIGN_PERMANENT_RESIDENCE' }, 1],
  [{ nationality: 'CHN', document: 'HK_MACAO_PERMIT' }, 12], [{ nationality: 'CHN', document: 'TAIWAN_PERMIT' }, 14],
]);
const EMPLOYERS = ['中国矿业大学', '江苏师范大学', '徐州医科大学', '徐州工程机械集团有限公司', '徐州重型机械有限公司', '江苏徐工信息技术股份有限公司'];
const UNSETTLED_MEMBER_SHARE = 0.021;
/** Group rentals (群租): about 2% of occupied houses. */
const GROUP_RENTAL_SHARE = 0.02;
const VACANT_SHARE = 0.06;
/** Registered people whose household register is elsewhere in the district (人户分离). */
const REGISTERED_ELSEWHERE_SHARE = 0.1;
/**
 * Hukou households here with a member living elsewhere (户在人不在): Xuzhou registers about 13 % more people than
 * live there (2020: 户籍 10.4 million, 常住 9.08 million), most of them grown children working in the south; this
 * share of hukou households (fewer where the head is young) gives about a tenth of the people registered here.
 */
const REGISTERED_AWAY_PER_HOUSEHOLD = 0.42;
const MAX_BUILDINGS_PER_GRID = 100;
const MEAN_HOUSEHOLD = 2.55;

const XUZHOU_CODE_INDEX = new WeightedTable(XUZHOU_ID_CODES.map(([, weight], i) => [i, weight] as const));
const ORIGINS = new WeightedTable(ORIGIN_COUNTIES.map(([county, weight], i) => [{ county, index: i }, weight] as const));
const ORIGIN_CODE_OFFSET = XUZHOU_ID_CODES.length;

const INFLOW_REASONS_HEAD = new WeightedTable<DemoFloatingDetails['inflowReason']>([
  ['WORK', 60], ['BUSINESS', 20], ['FAMILY', 8], ['STUDY', 4], ['MEDICAL', 2], ['OTHER', 6],
]);
const INFLOW_REASONS_SPOUSE = new WeightedTable<DemoFloatingDetails['inflowReason']>([
  ['FAMILY', 45], ['WORK', 40], ['BUSINESS', 10], ['OTHER', 5],
]);
const INFLOW_REASONS_TENANT = new WeightedTable<DemoFloatingDetails['inflowReason']>([
  ['WORK', 80], ['BUSINESS', 8], ['STUDY', 4], ['OTHER', 8],
]);

/** The district-wide counters of one pass over the grids. */
export interface Session {
  ids: IdNumberAllocator;
  phones: PhoneAllocator;
  permits: PermitAllocator;
  /** 不动产权证 serials per year of registration. */
  certificates: YearSerial;
  /** Rental filing (租赁备案) serials per year. */
  filings: YearSerial;
  /** Party member numbers per year of joining. */
  memberNumbers: YearSerial;
  /** Open group rentals seen so far in this pass: their ordinal spreads the remediation statuses evenly. */
  groupRentals: number;
  /** Rectified group rentals owed so far (a fraction carried over): 44% of all are rectified (see housing.ts). */
  rectifiedOwed: number;
  /** Mediation cases dealt so far: their ordinal picks the status from a fixed deck (see mediation.ts). */
  cases: number;
  /** Passports, permits and registration numbers handed out so far: their ordinal makes each number unique. */
  documents: number;
  /** Each special group's expected key persons not yet placed: the fraction a grid could not hold. */
  specialGroupCarry: Partial<Record<KeyPersonCategory, number>>;
}

/** A grid's base contents (places and people) with the birth days kept as numbers. */
export interface GridBase {
  contents: Pick<DemoGridContents, 'grid' | 'buildings' | 'houses' | 'residents' | 'workers' | 'registeredAway'>;
  birthDays: number[];
}

interface BuildingStyle {
  floors: readonly [number, number];
  units: readonly [number, number];
  perFloor: readonly [number, number];
  built: readonly [number, number];
  rooms: WeightedTable<number>;
  /** A village house: one dwelling whatever its floors. */
  selfBuilt: boolean;
}

const STYLES: Record<'multi' | 'mid' | 'high' | 'self' | 'resettle', BuildingStyle> = {
  multi: {
    floors: [5, 7], units: [2, 4], perFloor: [2, 2], built: [1985, 2012], selfBuilt: false,
    rooms: new WeightedTable([[1, 10], [2, 45], [3, 40], [4, 5]]),
  },
  mid: {
    floors: [11, 18], units: [1, 3], perFloor: [2, 4], built: [2005, 2022], selfBuilt: false,
    rooms: new WeightedTable([[1, 5], [2, 30], [3, 50], [4, 15]]),
  },
  high: {
    floors: [24, 33], units: [1, 2], perFloor: [2, 4], built: [2010, 2024], selfBuilt: false,
    rooms: new WeightedTable([[1, 5], [2, 25], [3, 50], [4, 20]]),
  },
  self: {
    floors: [1, 3], units: [1, 1], perFloor: [1, 1], built: [1985, 2020], selfBuilt: true,
    rooms: new WeightedTable([[3, 60], [4, 40]]),
  },
  resettle: {
    floors: [5, 6], units: [2, 3], perFloor: [2, 2], built: [2010, 2023], selfBuilt: false,
    rooms: new WeightedTable([[2, 40], [3, 50], [4, 10]]),
  },
};
const URBAN_STYLES = new WeightedTable<BuildingStyle>([[STYLES.multi, 45], [STYLES.mid, 35], [STYLES.high, 20]]);

const AREA_BY_ROOMS: Record<number, readonly [number, number]> = {
  1: [30, 55], 2: [50, 95], 3: [80, 135], 4: [110, 160],
};

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** Births in the fixed reference year: an age in whole years becomes a birth day before the reference date. */
function birthDayForAge(rng: Rng, age: number): number {
  return REF_DAY - 1 - Math.floor((age + rng.next()) * 365.2425);
}

/** Builds the grid's buildings on demand and hands out their houses in order. */
class HouseSupply {
  readonly buildings: DemoBuilding[] = [];
  readonly houses: DemoHouse[] = [];
  readonly buildingAddress = new Map<string, string>();
  private cursor = 0;

  constructor(
    private readonly rng: Rng,
    private readonly plan: GridPlan,
  ) {}

  next(remainingResidents: number): DemoHouse | null {
    while (this.cursor >= this.houses.length) {
      if (!this.addBuilding(remainingResidents)) return null;
    }
    return this.houses[this.cursor++] as DemoHouse;
  }

  private addBuilding(remainingResidents: number): boolean {
    const { rng, plan } = this;
    const i = this.buildings.length + 1;
    if (i > MAX_BUILDINGS_PER_GRID) return false;
    const number = (plan.grid.sequence - 1) * 100 + i;
    const code = `${plan.community.code}${pad(number, 5)}`;
    const address = plan.road ? `${plan.addressPrefix}${plan.road}${i}号` : `${plan.addressPrefix}${plan.grid.sequence}组${i}号`;
    const urban = plan.community.kind === 'COMMUNITY';

    if (urban && i > 1 && i < MAX_BUILDINGS_PER_GRID - 10 && rng.chance(0.04)) {
      // Shops and offices: part of the grid, but no dwellings.
      this.buildings.push({
        code, gridCode: plan.grid.code, number, address, floors: rng.int(2, 8), units: 1, use: 'COMMERCIAL',
        builtYear: rng.int(1995, 2022),
      });
      return true;
    }

    // Size the building to what is still to be housed, spread over the building numbers left in the block.
    const wanted = Math.max(1, Math.ceil(remainingResidents / MEAN_HOUSEHOLD / (1 - VACANT_SHARE)));
    const minCapacity = Math.ceil(wanted / (MAX_BUILDINGS_PER_GRID - i + 1));
    const style = urban
      ? URBAN_STYLES.pick(rng)
      : minCapacity <= 1 && rng.chance(0.85) ? STYLES.self : STYLES.resettle;
    let units = rng.int(...style.units);
    const perFloor = rng.int(...style.perFloor);
    let floors = rng.int(...style.floors);
    if (!style.selfBuilt) {
      if (floors * units * perFloor < minCapacity) floors = Math.min(99, Math.ceil(minCapacity / (units * perFloor)));
      // The last building of a grid is only as big as it needs to be, so few houses stand empty.
      if (floors * units * perFloor > wanted + units * perFloor) {
        units = Math.max(1, Math.min(units, Math.ceil(wanted / (perFloor * floors))));
        floors = Math.max(2, Math.min(floors, Math.ceil(wanted / (units * perFloor))));
      }
    }
    const building: DemoBuilding = {
      code, gridCode: plan.grid.code, number, address, floors, units,
      use: !style.selfBuilt && rng.chance(0.12) ? 'MIXED' : 'RESIDENTIAL',
      builtYear: rng.int(...style.built),
    };
    this.buildings.push(building);
    this.buildingAddress.set(code, address);

    if (style.selfBuilt) {
      this.addHouse(building, 1, 1, 1, style, true);
    } else {
      // Shops take the ground floor of a mixed-use building.
      const firstFloor = building.use === 'MIXED' && floors > 2 ? 2 : 1;
      for (let unit = 1; unit <= units; unit++) {
        for (let floor = firstFloor; floor <= floors; floor++) {
          for (let p = 1; p <= perFloor; p++) this.addHouse(building, unit, floor, p, style, false);
        }
      }
    }
    return true;
  }

  private addHouse(building: DemoBuilding, unit: number, floor: number, position: number, style: BuildingStyle, selfBuilt: boolean) {
    const { rng } = this;
    const room = pad(floor * 100 + position, 4);
    const rooms = style.rooms.pick(rng);
    const [lo, hi] = selfBuilt ? ([90, 160] as const) : (AREA_BY_ROOMS[rooms] ?? [50, 95]);
    this.houses.push({
      code: `${building.code}-${pad(unit, 2)}-${room}`,
      buildingCode: building.code,
      gridCode: building.gridCode,
      unit,
      room,
      areaM2: Math.round(rng.real(lo, hi) * 100) / 100,
      rooms,
      address: selfBuilt ? building.address : `${building.address}${unit}单元${floor * 100 + position}室`,
    });
  }
}

interface Origin {
  county: OriginCounty;
  codeIndex: number;
  address: string;
}

function pickOrigin(rng: Rng): Origin {
  const { county, index } = ORIGINS.pick(rng);
  const village = `${rng.pick(VILLAGE_FAMILIES)}${rng.pick(VILLAGE_SUFFIXES)}村`;
  return {
    county,
    codeIndex: ORIGIN_CODE_OFFSET + index,
    address: `${county.name}${rng.pick(ORIGIN_TOWNS)}${village}${rng.int(1, 12)}组${rng.int(1, 60)}号`,
  };
}

/** Inflow some time in the last twenty years, recent years more likely, never before the person turned 16. */
function pickInflowDay(rng: Rng, birthDay: number): number {
  const yearsAgo = 20 * rng.next() ** 1.8;
  const day = REF_DAY - 1 - Math.floor(yearsAgo * 365.2425);
  const adult = addYears(birthDay, 16);
  return Math.min(REF_DAY - 1, Math.max(day, adult));
}

const PERMITS_SINCE = dayOf(2016, 1, 1); // the national residence permit regulations took effect

/** Who a new person is: a citizen whose ID number is allocated in an address code, or a holder of a document. */
type Identity = { codeIndex: number } | { document: DemoDocument; name: string };

export class GridGenerator {
  private readonly rng: Rng;
  private readonly residents: DemoResident[] = [];
  /** Birth days kept as numbers alongside the residents, so nothing has to parse the date strings back. */
  private readonly birthDays: number[] = [];
  private households = 0;
  private readonly supply: HouseSupply;

  constructor(
    private readonly world: WorldPlan,
    private readonly plan: GridPlan,
    private readonly session: Session,
  ) {
    this.rng = new Rng(world.seed, plan.index + 1);
    this.supply = new HouseSupply(this.rng, plan);
  }

  generate(): GridBase {
    const { rng, plan, supply } = this;
    const occupied: DemoHouse[] = [];
    let remaining = plan.targetResidents;
    while (remaining > 0) {
      let house = supply.next(remaining);
      if (house === null) {
        // Out of building numbers (only at absurd sizes): share a house rather than miss the resident count.
        house = rng.pick(occupied.length > 0 ? occupied : supply.houses);
      } else if (rng.chance(VACANT_SHARE)) {
        continue;
      }
      occupied.push(house);
      const crowd = 2 * house.rooms + 1 + rng.int(0, 2);
      if (rng.chance(GROUP_RENTAL_SHARE) && crowd <= remaining) {
        this.groupRental(house, crowd);
        remaining -= crowd;
        continue;
      }
      const r = rng.next();
      const floatingHouseholds = this.world.floatingHouseholdShare;
      const kind: HouseholdKind =
        r < floatingHouseholds ? 'FLOATING' : r < floatingHouseholds + OVERSEAS_HOUSEHOLD_SHARE ? 'OVERSEAS' : 'REGISTERED';
      // Families fit their dwelling: at most two people per room, or they would count as a group rental.
      let size = pickHouseholdSize(rng, kind);
      for (let tries = 0; size > 2 * house.rooms && tries < 3; tries++) size = pickHouseholdSize(rng, kind);
      size = Math.min(remaining, size, 2 * house.rooms);
      this.family(house, composeHousehold(rng, size, kind), kind);
      remaining -= size;
    }
    return {
      contents: {
        grid: plan.grid,
        buildings: supply.buildings,
        houses: supply.houses,
        residents: this.residents,
        workers: this.pickWorkers(),
        registeredAway: this.registeredAway(),
      },
      birthDays: this.birthDays,
    };
  }

  private nextHouseholdId(): string {
    return `${this.plan.grid.code}-${pad(++this.households, 4)}`;
  }

  private family(house: DemoHouse, members: MemberSpec[], kind: HouseholdKind): void {
    const { rng } = this;
    const householdId = this.nextHouseholdId();
    const origin = kind === 'FLOATING' ? pickOrigin(rng) : null;
    const overseas = kind === 'OVERSEAS' ? OVERSEAS_ORIGINS.pick(rng) : null;
    const familyName = overseas && overseas.nationality !== 'CHN' ? pickForeignFamilyName(rng, overseas.nationality) : null;
    // The family's hukou household (户口簿), when members' hukou is here: its number is the household's with HK.
    const hukouHouseholdId = `HK${householdId.replace('-', '')}`;
    let headInflow = -1;
    let headEntry = -1;
    for (const m of members) {
      let type: PopulationType = kind;
      if (kind === 'REGISTERED' && m.relation !== 'SELF' && rng.chance(UNSETTLED_MEMBER_SHARE)) type = 'UNSETTLED';
      const birthDay = birthDayForAge(rng, m.age);
      let identity: Identity;
      if (overseas) {
        // A spouse keeps her or his own family name; children take the head's.
        const family = familyName === null ? null : m.relation === 'SELF' || m.relation === 'CHILD' || m.relation === 'GRANDCHILD' ? familyName : pickForeignFamilyName(rng, overseas.nationality);
        identity = {
          document: this.document(overseas.document, overseas.nationality),
          name: family === null ? m.surname + pickGivenName(rng, m.sex, yearOf(birthDay)) : foreignName(rng, overseas.nationality, m.sex, family),
        };
      } else if (type === 'UNSETTLED') {
        identity = { document: this.document('NONE', 'CHN'), name: m.surname + pickGivenName(rng, m.sex, yearOf(birthDay)) };
      } else {
        identity = { codeIndex: origin ? origin.codeIndex : XUZHOU_CODE_INDEX.pick(rng) };
      }
      const { resident } = this.person(m.sex, birthDay, m.surname, identity, type, house, householdId, m.relation);
      if (type === 'REGISTERED' && resident.residenceStatus === 'RESIDENT_AND_REGISTERED') resident.hukouHouseholdId = hukouHouseholdId;
      if (overseas) {
        if (headEntry < 0) headEntry = pickInflowDay(rng, birthDay);
        resident.overseas = this.overseasStay(Math.max(headEntry, birthDay), birthDay, m.relation === 'SELF', overseas.document);
      }
      if (origin) {
        if (headInflow < 0) headInflow = pickInflowDay(rng, birthDay);
        // Spouses may follow later; children born here arrive at birth.
        const inflow =
          m.relation === 'SPOUSE' || m.relation === 'PARENT' || m.relation === 'OTHER_RELATIVE'
            ? Math.min(REF_DAY - 1, Math.max(headInflow + rng.int(0, 400), addYears(birthDay, 16)))
            : headInflow;
        const reasons = m.relation === 'SELF' ? INFLOW_REASONS_HEAD : m.relation === 'SPOUSE' ? INFLOW_REASONS_SPOUSE : null;
        resident.floating = this.floating(
          reasons ? reasons.pick(rng) : m.age >= 6 && m.age <= 22 && rng.chance(0.3) ? 'STUDY' : rng.chance(0.05) ? 'MEDICAL' : 'FAMILY',
          Math.max(inflow, birthDay),
          birthDay,
          origin.address,
        );
        resident.registeredAddress = origin.address;
      }
    }
  }

  /** Unrelated floating workers crowded into one dwelling: one signs the lease (SELF), the rest are tenants. */
  private groupRental(house: DemoHouse, people: number): void {
    const { rng } = this;
    const householdId = this.nextHouseholdId();
    for (let k = 0; k < people; k++) {
      const origin = pickOrigin(rng);
      const sex: Sex = rng.chance(0.7) ? 'MALE' : 'FEMALE';
      const birthDay = birthDayForAge(rng, rng.int(18, 52));
      const { resident, birthDay: actualBirth } = this.person(sex, birthDay, pickSurname(rng), { codeIndex: origin.codeIndex }, 'FLOATING', house, householdId, k === 0 ? 'SELF' : 'TENANT');
      resident.registeredAddress = origin.address;
      resident.hukouDivisionCode = origin.county.code;
      resident.floating = this.floating(INFLOW_REASONS_TENANT.pick(rng), pickInflowDay(rng, actualBirth), actualBirth, origin.address);
    }
  }

  /** A document number unique in the district, in the form its issuer uses. */
  private document(type: DemoDocument['type'], nationality: string): DemoDocument {
    const n = ++this.session.documents;
    const number =
      type === 'HK_MACAO_PERMIT' ? `H${pad(60_000_000 + n, 8)}` // 港澳居民来往内地通行证: H (Hong Kong) or M and 8 digits
        : type === 'TAIWAN_PERMIT' ? pad(10_000_000 + n, 8) // 台湾居民来往大陆通行证: 8 digits
          : type === 'FOREIGN_PERMANENT_RESIDENCE' ? `${nationality}${DISTRICT.code.slice(0, 4)}${pad(n, 8)}` // old 15-character card: nationality, issuing province and city, serial
            : type === 'NONE' ? `WL${this.plan.grid.code}${pad(n % 10_000, 4)}` // the police station's registration number of an unsettled person
              : nationality === 'KOR' ? `M${pad(n, 8)}` : nationality === 'JPN' ? `TK${pad(n, 7)}` : nationality === 'USA' ? pad(500_000_000 + n, 9) : `P${pad(n, 8)}`;
    return { type, number, nationality };
  }

  /** Entry, and a residence permit (work, study, family) or a visa; permanent residents need neither. */
  private overseasStay(entryDay: number, birthDay: number, head: boolean, document: DemoDocument['type']): DemoResident['overseas'] {
    const { rng } = this;
    const entry = Math.min(REF_DAY - 1, Math.max(entryDay, birthDay));
    if (document === 'FOREIGN_PERMANENT_RESIDENCE') {
      return { entryDate: isoOf(entry), permitKind: 'PERMANENT_RESIDENCE', permitNumber: null, permitExpiresOn: null, employerOrSchool: head ? rng.pick(EMPLOYERS) : null };
    }
    const visa = rng.chance(0.15);
    // Compatriots' permits are valid five years; foreigners' residence permits one to five; visas a few months.
    const issued = Math.min(REF_DAY - 1, visa ? entry : entry + rng.int(0, 30));
    const expires = visa ? addYears(issued, 0) + rng.int(60, 180) : addYears(issued, document === 'PASSPORT' ? rng.int(1, 5) : 5);
    return {
      entryDate: isoOf(entry),
      permitKind: visa ? 'VISA' : 'RESIDENCE_PERMIT',
      permitNumber: `${visa ? 'V' : 'R'}${pad(++this.session.documents, 9)}`,
      permitExpiresOn: isoOf(expires),
      employerOrSchool: head && ageOn(birthDay) >= 18 ? rng.pick(EMPLOYERS) : null,
    };
  }

  private person(
    sex: Sex,
    birthDay: number,
    surname: string,
    identity: Identity,
    populationType: PopulationType,
    house: DemoHouse,
    householdId: string,
    relationToHead: DemoResident['relationToHead'],
  ): { resident: DemoResident; birthDay: number } {
    const { rng } = this;
    // Citizens' birth days move to a free ID number sequence; documents carry none.
    const id = 'codeIndex' in identity ? this.session.ids.allocate(identity.codeIndex, birthDay, sex) : null;
    const born = id ? id.birthDay : birthDay;
    const age = ageOn(born);
    const phoneShare = age < 12 ? 0 : age < 16 ? 0.4 : age < 70 ? 0.96 : age < 85 ? 0.75 : 0.4;
    const document = 'document' in identity ? identity.document : null;
    const hukou = populationType === 'REGISTERED' ? this.registeredAddress(house) : null;
    const resident: DemoResident = {
      idNumber: id ? id.idNumber : documentKey(document!.type, document!.nationality, document!.number),
      document,
      name: 'name' in identity ? identity.name : surname + pickGivenName(rng, sex, yearOf(born)),
      sex,
      birthDate: isoOf(born),
      phone: rng.chance(phoneShare) ? this.session.phones.next(rng) : null,
      populationType,
      // People with no hukou have no registered address; floating people's is set by the caller (their origin).
      registeredAddress: hukou ? hukou.address : '',
      houseCode: house.code,
      gridCode: this.plan.grid.code,
      householdId,
      relationToHead,
      floating: null,
      overseas: null,
      residenceStatus: hukou ? (hukou.here ? 'RESIDENT_AND_REGISTERED' : 'RESIDENT_NOT_REGISTERED') : populationType === 'FLOATING' ? 'RESIDENT_NOT_REGISTERED' : null,
      hukouDivisionCode: hukou ? DISTRICT.code : null,
      hukouPoliceStation: hukou ? hukou.policeStation : null,
      hukouHouseholdId: null,
      tenure: 'RENTED',
    };
    this.residents.push(resident);
    this.birthDays.push(born);
    return { resident, birthDay: born };
  }

  /**
   * Where the household register is: this building, or (人户分离, 人在户不在) another address in the district; and the
   * police station of that street (派出所, one per street) that keeps it.
   */
  private registeredAddress(house: DemoHouse): { address: string; here: boolean; policeStation: string } {
    const { rng } = this;
    const here = this.supply.buildingAddress.get(house.buildingCode) ?? house.address;
    const station = (plan: GridPlan) => `徐州市公安局${DISTRICT.name}分局${plan.street.name.replace(/(街道|镇)$/, '')}派出所`;
    if (!rng.chance(REGISTERED_ELSEWHERE_SHARE)) return { address: here, here: true, policeStation: station(this.plan) };
    const other = rng.pick(this.world.plans);
    const address = other.road
      ? `${other.addressPrefix}${other.road}${rng.int(1, 40)}号`
      : `${other.addressPrefix}${other.grid.sequence}组${rng.int(1, 60)}号`;
    return { address, here: false, policeStation: station(other) };
  }

  private floating(
    inflowReason: DemoFloatingDetails['inflowReason'],
    inflowDay: number,
    birthDay: number,
    originAddress: string,
  ): DemoFloatingDetails {
    const { rng } = this;
    const details: DemoFloatingDetails = {
      inflowReason,
      inflowDate: isoOf(inflowDay),
      originAddress,
      residencePermitNumber: null,
      residencePermitExpiresOn: null,
    };
    // A permit needs half a year's residence; most adults apply, fewer children.
    const eligible = REF_DAY - inflowDay >= 183;
    if (eligible && rng.chance(ageOn(birthDay) >= 16 ? 0.86 : 0.4)) {
      let issued = Math.min(REF_DAY - 1, inflowDay + rng.int(183, 400));
      if (issued < PERMITS_SINCE) issued = PERMITS_SINCE + rng.int(0, 365);
      // Valid a year and renewed yearly; about one in eight has let it lapse.
      const years = ageOn(issued, REF_DAY - 1) + 1;
      const lapsed = years > 1 && rng.chance(0.12);
      details.residencePermitNumber = this.session.permits.next(issued);
      details.residencePermitExpiresOn = isoOf(addYears(issued, lapsed ? years - rng.int(1, years - 1) : years));
    }
    return details;
  }

  /**
   * People whose hukou is in one of the grid's hukou households but who live elsewhere (户在人不在): grown children
   * working or studying away, now and then a spouse, a grandchild left with the other parent. Drawn from the grid's
   * own stream after its residents, so the people living here stay as they were.
   */
  private registeredAway(): DemoRegisteredAway[] {
    const rng = new Rng(this.world.seed, hashKey(`${this.plan.grid.code}/registered-away`));
    const away: DemoRegisteredAway[] = [];
    this.residents.forEach((head, i) => {
      if (head.relationToHead !== 'SELF' || head.hukouHouseholdId === null || !rng.chance(REGISTERED_AWAY_PER_HOUSEHOLD)) return;
      const headAge = ageOn(this.birthDays[i] as number);
      // A younger head's away member is a spouse working elsewhere, and fewer of them are away than grown children.
      if (headAge < 45 && rng.chance(0.6)) return;
      const relation: DemoRegisteredAway['relationToHead'] = headAge >= 45 && rng.chance(0.85) ? 'CHILD' : headAge >= 60 ? 'GRANDCHILD' : 'SPOUSE';
      const age =
        relation === 'CHILD' ? Math.max(18, Math.min(headAge - 20, headAge - rng.int(22, 32)))
          : relation === 'GRANDCHILD' ? rng.int(6, Math.max(6, Math.min(20, headAge - 45)))
            : Math.max(20, headAge + rng.int(-4, 4));
      const sex: Sex = relation === 'SPOUSE' ? (head.sex === 'MALE' ? 'FEMALE' : 'MALE') : rng.chance(0.55) ? 'MALE' : 'FEMALE';
      const id = this.session.ids.allocate(XUZHOU_CODE_INDEX.pick(rng), birthDayForAge(rng, age), sex);
      const surname = relation === 'SPOUSE' ? pickSurname(rng) : head.name.slice(0, 1);
      away.push({
        idNumber: id.idNumber,
        name: surname + pickGivenName(rng, sex, yearOf(id.birthDay)),
        sex,
        birthDate: isoOf(id.birthDay),
        phone: ageOn(id.birthDay) >= 16 ? this.session.phones.next(rng) : null,
        registeredAddress: head.registeredAddress,
        gridCode: this.plan.grid.code,
        hukouHouseholdId: head.hukouHouseholdId,
        hukouDivisionCode: head.hukouDivisionCode!,
        hukouPoliceStation: head.hukouPoliceStation!,
        relationToHead: relation,
      });
    });
    return away;
  }

  /** 1-3 workers per grid, adults of 25-55 living in it, local residents preferred. */
  private pickWorkers(): DemoGridWorker[] {
    const { rng, residents, birthDays } = this;
    if (residents.length === 0) return [];
    const count = this.plan.targetResidents >= 300 ? rng.int(1, 3) : rng.int(1, 2);
    const local: number[] = [];
    const others: number[] = [];
    const adults: number[] = [];
    residents.forEach((r, i) => {
      const age = ageOn(birthDays[i] as number);
      // Civil affairs employs grid workers by their citizen ID: people who hold none are not among them.
      if (r.document !== null) return;
      if (age >= 18) adults.push(i);
      if (age < 25 || age > 55 || r.phone === null) return;
      (r.populationType === 'REGISTERED' ? local : others).push(i);
    });
    let pool = [...rng.shuffle(local), ...rng.shuffle(others)];
    // Tiny grids only: take any adult, who gets a phone for the job.
    if (pool.length === 0) pool = adults;
    const workers: DemoGridWorker[] = [];
    for (const i of pool.slice(0, count)) {
      const r = residents[i] as DemoResident;
      const birthDay = birthDays[i] as number;
      if (r.phone === null) r.phone = this.session.phones.next(rng);
      const from = Math.max(dayOf(2015, 1, 1), addYears(birthDay, 22));
      const to = REF_DAY - 30;
      workers.push({
        gridCode: this.plan.grid.code,
        idNumber: r.idNumber,
        name: r.name,
        phone: r.phone,
        role: workers.length === 0 || rng.chance(0.3) ? 'FULL_TIME' : 'PART_TIME',
        startedOn: isoOf(from >= to ? to : rng.int(from, to)),
      });
    }
    return workers;
  }
}

export function* generateGrids(world: WorldPlan, createSession: () => Session): Generator<DemoGridContents> {
  const session = createSession();
  const communities = communityInfos(world);
  for (const plan of world.plans) {
    const base = new GridGenerator(world, plan, session).generate();
    yield gridRecords(world, plan, session, communities, base);
  }
}

export function newSession(codes: readonly string[]): Session {
  return {
    ids: new IdNumberAllocator(codes),
    phones: new PhoneAllocator(),
    permits: new PermitAllocator(DISTRICT.code),
    certificates: new YearSerial(),
    filings: new YearSerial(),
    memberNumbers: new YearSerial(),
    groupRentals: 0,
    rectifiedOwed: 0,
    cases: 0,
    documents: 0,
    specialGroupCarry: {},
  };
}

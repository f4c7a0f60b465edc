/**
 * Housing records of a grid: who owns each house, rental registrations of the houses floating people rent, the
 * group rentals (exactly the crowded houses) and their remediation, the property company and owners' committees.
 */
import { CREDIT_CATEGORY, gridOrgSequence, organizationId, pad, topicRng } from './community.ts';
import type { WelfareFacts } from './civil-affairs.ts';
import { addYears, dayOf, isoOf, yearOf } from './dates.ts';
import { LAST_DAY, dayBetween, isCrowded, type GridFacts, type Household } from './facts.ts';
import { CITY_DISTRICT_NAME, makeOrganization, type GridOrganizations } from './organizations.ts';
import { mix32, type Rng } from './random.ts';
import type {
  DemoGroupRental,
  DemoHouse,
  DemoHousingRecords,
  DemoOwnership,
  DemoOwnersCommittee,
  DemoResident,
  DemoTenancy,
} from './types.ts';

/** Of all group rentals identified: 81% interviewed, 44% rectified (DOMAIN.md section 5). */
const INTERVIEWED_SHARE = 0.81;
const RECTIFIED_SHARE = 0.44;
const GOLDEN = 0.6180339887498949;
const CERTIFICATES_SINCE = dayOf(2016, 1, 1); // unified real-estate certificates (不动产权证书)

/** An owner: a resident (index into the grid's residents) or an organization. */
export type Owner = { resident: number; org: null } | { resident: null; org: string };

export interface HousingFacts {
  owners: Map<string, Owner[]>;
  groupRentals: DemoGroupRental[];
}

/** The remediation status of the k-th group rental of the pass (0-based): a golden-ratio sequence keeps the shares exact. */
export function groupRentalStatus(k: number): DemoGroupRental['status'] {
  const x = (k + 1) * GOLDEN;
  const u = x - Math.floor(x);
  return u < RECTIFIED_SHARE ? 'RECTIFIED' : u < INTERVIEWED_SHARE ? 'INTERVIEWED' : 'IDENTIFIED';
}

export function housing(
  facts: GridFacts,
  orgs: GridOrganizations,
  welfare: WelfareFacts,
): { records: DemoHousingRecords; housing: HousingFacts } {
  const { grid, residents, households, ages, birthDays, houses, occupants, session, seed, info } = facts;
  const rng = topicRng(seed, grid.code, 'housing');
  const builtYear = new Map(facts.buildings.map((b) => [b.code, b.builtYear]));
  const households0 = new Map<string, Household[]>();
  for (const h of households) {
    const list = households0.get(h.house.code);
    if (list) list.push(h);
    else households0.set(h.house.code, [h]);
  }

  // People who may own houses they do not live in: registered adults of 25 or more, not on 低保 or 特困 support;
  // a few of them own most of what is let.
  const pool: number[] = [];
  residents.forEach((r, i) => {
    if (r.populationType === 'REGISTERED' && (ages[i] as number) >= 25 && !welfare.poor.has(i)) pool.push(i);
  });
  const landlords = rng.shuffle([...pool]).slice(0, Math.max(1, Math.ceil(pool.length * 0.12)));
  const landlord = (): Owner | null => (landlords.length > 0 && pool.length > 0 ? { resident: rng.pick(landlords), org: null } : null);
  const orgOwner = (): Owner => ({ resident: null, org: orgs.propertyCompany && rng.chance(0.5) ? orgs.propertyCompany.id : info.committeeId });
  const person = (i: number): Owner => ({ resident: i, org: null });

  const owners = new Map<string, Owner[]>();
  const setOwners = (house: DemoHouse, list: Owner[]) => owners.set(house.code, list);

  // Improper 低保 claims first: the household head owns its home and, unless it is already over 120 m2, a second
  // house (one that stands empty or is let, else any other family's home).
  for (const [hIndex, { improper }] of welfare.lowIncome) {
    if (!improper) continue;
    const h = households[hIndex] as Household;
    setOwners(h.house, [person(h.head)]);
    if (h.house.areaM2 > 120) continue;
    const spare = (filter: (house: DemoHouse) => boolean) => houses.filter((x) => !owners.has(x.code) && filter(x));
    let options = spare((x) => {
      const hs = households0.get(x.code);
      return !hs || hs.every((o) => o.kind === 'FLOATING' || o.kind === 'GROUP');
    });
    if (options.length === 0) {
      options = spare((x) => (households0.get(x.code) ?? []).every((o) => !welfare.lowIncome.has(o.index) && !welfare.poor.has(o.head)));
    }
    if (options.length > 0) setOwners(rng.pick(options), [person(h.head)]);
  }

  for (const house of houses) {
    if (owners.has(house.code)) continue;
    const hs = households0.get(house.code);
    const h = hs?.[0];
    let list: Owner[] | null = null;
    if (!h) {
      // Empty: mostly a second home of someone in the grid, now and then unsold.
      const o = rng.chance(0.85) ? landlord() : null;
      if (o) list = [o];
    } else if (h.kind === 'REGISTERED') {
      const headIsPoor = welfare.lowIncome.has(h.index) || welfare.poor.has(h.head);
      if (headIsPoor) {
        // At most one modest home: their own, or public rental housing (公租房) of the committee.
        list = house.areaM2 <= 120 && rng.chance(0.65) ? [person(h.head)] : house.areaM2 <= 120 ? [orgOwner()] : [landlord() ?? orgOwner()];
      } else {
        const r = rng.next();
        const spouse = h.members.find((m) => residents[m]?.relationToHead === 'SPOUSE' && !welfare.poor.has(m));
        if (r < 0.8) list = spouse !== undefined && rng.chance(0.35) ? [person(h.head), person(spouse)] : [person(h.head)];
        else if (r < 0.83) list = [orgOwner()];
        else list = [landlord() ?? person(h.head)];
      }
    } else if (h.kind === 'OVERSEAS') {
      list = [rng.chance(0.7) ? person(h.head) : (landlord() ?? orgOwner())];
    } else {
      list = [rng.chance(0.06) ? orgOwner() : (landlord() ?? orgOwner())];
    }
    if (list) setOwners(house, list);
  }

  // Ownership records, one certificate each, in house order.
  const ownerships: DemoOwnership[] = [];
  for (const house of houses) {
    const list = owners.get(house.code);
    if (!list) continue;
    let from = Math.max(CERTIFICATES_SINCE, dayOf((builtYear.get(house.buildingCode) ?? 2000) + 1, 1, 1));
    for (const o of list) if (o.resident !== null) from = Math.max(from, addYears(birthDays[o.resident] as number, 20));
    const registered = dayBetween(rng, Math.min(from, LAST_DAY), LAST_DAY);
    const share = Math.floor(100 / list.length);
    list.forEach((o, k) => {
      const year = yearOf(registered);
      ownerships.push({
        houseCode: house.code,
        ownerIdNumber: o.resident === null ? null : (residents[o.resident] as DemoResident).idNumber,
        ownerOrganizationId: o.org,
        sharePercent: k === 0 ? 100 - share * (list.length - 1) : share,
        certificateNumber: `苏(${year})${CITY_DISTRICT_NAME.slice(0, 3)}不动产权第${pad(yearBase(year, 3_000_000) + session.certificates.next(year), 7)}号`,
        registeredOn: isoOf(registered),
      });
    });
  }

  // Rental registrations: every house where floating families or group renters live.
  const tenancies: DemoTenancy[] = [];
  const groupRentals: DemoGroupRental[] = [];
  for (const house of houses) {
    const hs = households0.get(house.code);
    if (!hs || !hs.some((h) => h.kind === 'FLOATING' || h.kind === 'GROUP')) continue;
    const people = occupants.get(house.code) ?? [];
    const crowded = isCrowded(house, people.length);
    const owner = owners.get(house.code)?.[0];
    if (owner) {
      const head = residents[(hs[0] as Household).head] as DemoResident;
      const inflow = head.floating ? dayOfIso(head.floating.inflowDate) : LAST_DAY - 365;
      const start = dayBetween(rng, Math.max(inflow, LAST_DAY - 700), LAST_DAY);
      const filed = rng.chance(crowded ? 0.2 : 0.66);
      const rent = Math.max(500, Math.round((house.areaM2 * rng.real(14, 28)) / 50) * 50);
      tenancies.push({
        id: `ZL${grid.code}${pad(tenancies.length + 1, 4)}`,
        houseCode: house.code,
        landlordIdNumber: owner.resident === null ? null : (residents[owner.resident] as DemoResident).idNumber,
        landlordOrganizationId: owner.org,
        occupantIdNumbers: people.map((i) => (residents[i] as DemoResident).idNumber),
        rooms: house.rooms,
        areaM2: house.areaM2,
        monthlyRent: rent,
        filingNumber: filed ? `泉房租备(${yearOf(start)})第${pad(yearBase(yearOf(start), 200_000) + session.filings.next(yearOf(start)), 6)}号` : null,
        startsOn: isoOf(start),
        endsOn: isoOf(addYears(start, start <= LAST_DAY - 300 ? 2 : 1)),
      });
    }
  }
  for (const house of houses) {
    const people = occupants.get(house.code) ?? [];
    if (!isCrowded(house, people.length)) continue;
    groupRentals.push(groupRental(facts, rng, house, people, groupRentals.length + 1));
  }

  // The property company and the owners' committees of the compounds it manages.
  const propertyCompanies = orgs.propertyCompany
    ? [{ organizationId: orgs.propertyCompany.id, qualification: orgs.propertyCompany.qualification, managedBuildingCodes: orgs.propertyCompany.buildingCodes }]
    : [];
  const ownersCommittees: DemoOwnersCommittee[] = [];
  for (const compound of orgs.managedCompounds) {
    if (!rng.chance(0.55)) continue;
    const codes = new Set(compound.buildings.map((b) => b.code));
    const candidates: number[] = [];
    for (const house of houses) {
      if (!codes.has(house.buildingCode)) continue;
      for (const o of owners.get(house.code) ?? []) if (o.resident !== null) candidates.push(o.resident);
    }
    // Elected once the compound has been lived in for a year or more.
    const from = Math.max(dayOf(2016, 1, 1), dayOf(Math.max(...compound.buildings.map((b) => b.builtYear)) + 1, 7, 1));
    if (candidates.length === 0 || from > LAST_DAY - 10) continue;
    const chair = residents[rng.pick(candidates)] as DemoResident;
    const electedOn = dayBetween(rng, from, LAST_DAY - 10);
    const filedOn = rng.chance(0.8) ? Math.min(LAST_DAY, electedOn + rng.int(3, 30)) : null;
    const id = organizationId('OC', info.community.code, gridOrgSequence(grid.sequence, ownersCommittees.length + 1));
    orgs.list.push(
      makeOrganization(facts, id, 'OWNERS_COMMITTEE', `${CITY_DISTRICT_NAME}${compound.name}业主委员会`, CREDIT_CATEGORY.OWNERS_COMMITTEE, filedOn ?? electedOn, 'housing'),
    );
    ownersCommittees.push({
      organizationId: id,
      electedOn: isoOf(electedOn),
      filedOn: filedOn === null ? null : isoOf(filedOn),
      chairIdNumber: chair.idNumber,
      buildingCodes: [...codes],
    });
  }

  return {
    records: { ownerships, tenancies, groupRentals, propertyCompanies, ownersCommittees },
    housing: { owners, groupRentals },
  };
}

const PARTITIONS = ['客厅隔断出租', '阳台改作卧室', '房间内摆放多张上下铺', '厨房改作住人', '一室多铺位出租'] as const;

function groupRental(facts: GridFacts, rng: Rng, house: DemoHouse, people: number[], seq: number): DemoGroupRental {
  const { session, residents } = facts;
  const status = groupRentalStatus(session.groupRentals++);
  let latest = LAST_DAY - 540;
  for (const i of people) {
    const f = residents[i]?.floating;
    if (f) latest = Math.max(latest, dayOfIso(f.inflowDate));
  }
  const identified = dayBetween(rng, Math.min(latest, LAST_DAY - 20), LAST_DAY - 1);
  const interviewed = status === 'IDENTIFIED' ? null : Math.min(LAST_DAY, identified + rng.int(2, 30));
  const rectified = status === 'RECTIFIED' && interviewed !== null ? Math.min(LAST_DAY, interviewed + rng.int(5, 60)) : null;
  const n = people.length;
  const perPerson = (house.areaM2 / n).toFixed(1);
  const base = `${house.rooms}室${n}人居住，人均${perPerson}平方米，${rng.pick(PARTITIONS)}`;
  const note =
    status === 'IDENTIFIED' ? `${base}；网格员巡查发现，待约谈房东`
      : status === 'INTERVIEWED' ? `${base}；已约谈房东及承租人，责令限期整改`
        : `${base}；已约谈并完成整改，拆除隔断，纳入复查`;
  return {
    id: `QZ${facts.grid.code}${pad(seq, 3)}`,
    houseCode: house.code,
    status,
    identifiedOn: isoOf(identified),
    interviewedOn: interviewed === null ? null : isoOf(interviewed),
    rectifiedOn: rectified === null ? null : isoOf(rectified),
    occupantCount: n,
    note,
  };
}

/** Where a year's serials start: the city registers far more than this district, so numbers do not start at 1. */
const yearBase = (year: number, range: number) => 1000 + (mix32(year, 0x7e57) % range);

/** A YYYY-MM-DD string back to a day number (only for dates the generator itself wrote). */
export function dayOfIso(iso: string): number {
  return dayOf(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)), Number(iso.slice(8, 10)));
}

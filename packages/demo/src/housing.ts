/**
 * Housing records of a grid: each house's usable area and property nature and each building's structure, who owns
 * each house, rental registrations of the houses floating people rent, the group rentals and their remediation, the
 * property company and owners' committees. Crowding is measured as the rules do, on usable area (使用面积): the
 * houses crowded now are open group rentals (identified, interviewed, or relapsed after rectification); rectified
 * ones are let houses that were crowded when identified and are not now, re-inspected (复查) as compliant.
 */
import { CREDIT_CATEGORY, gridOrgSequence, organizationId, pad, topicRng } from './community.ts';
import type { WelfareFacts } from './civil-affairs.ts';
import { addYears, dayOf, isoOf, yearOf } from './dates.ts';
import { LAST_DAY, dayBetween, type GridFacts, type Household } from './facts.ts';
import { CITY_DISTRICT_NAME, housingAuthorityId, makeOrganization, type GridOrganizations } from './organizations.ts';
import { mix32, type Rng } from './random.ts';
import type {
  BuildingStructure,
  DemoBuilding,
  DemoBuildingDetails,
  DemoGroupRental,
  DemoHouseDetails,
  DemoHouse,
  PropertyNature,
  DemoHousingRecords,
  DemoOwnership,
  DemoOwnersCommittee,
  DemoResident,
  DemoTenancy,
} from './types.ts';

/** Of all group rentals identified: 81% interviewed, 44% rectified (DOMAIN.md section 5); 5% relapsed after rectifying. */
const INTERVIEWED_SHARE = 0.81;
const RECTIFIED_SHARE = 0.44;
const RELAPSED_SHARE = 0.05;
/** Rectified group rentals per open one, so that rectified ones are 44% of all. */
const RECTIFIED_PER_OPEN = RECTIFIED_SHARE / (1 - RECTIFIED_SHARE);
const GOLDEN = 0.6180339887498949;
const CERTIFICATES_SINCE = dayOf(2016, 1, 1); // unified real-estate certificates (不动产权证书)

/** An owner: a resident (index into the grid's residents) or an organization. */
export type Owner = { resident: number; org: null } | { resident: null; org: string };

export interface HousingFacts {
  owners: Map<string, Owner[]>;
  groupRentals: DemoGroupRental[];
}

/**
 * The status of the k-th open group rental of the pass (0-based), open ones being 56% of all: identified only
 * (19% of all), relapsed (5%) or interviewed. A golden-ratio sequence keeps the shares exact.
 */
export function groupRentalStatus(k: number): DemoGroupRental['status'] {
  const x = (k + 1) * GOLDEN;
  const u = x - Math.floor(x);
  const open = 1 - RECTIFIED_SHARE;
  return u < (1 - INTERVIEWED_SHARE) / open ? 'IDENTIFIED' : u < (1 - INTERVIEWED_SHARE + RELAPSED_SHARE) / open ? 'RELAPSED' : 'INTERVIEWED';
}

/** Usable area (使用面积) of a house: its floor area less walls and shared parts, by kind of building. */
export function usableAreaOf(house: DemoHouse, building: DemoBuilding | undefined, flat: boolean): number {
  const u = (mix32(Number(house.code.slice(-4)), Number(house.buildingCode.slice(-5))) % 1000) / 1000;
  const ratio = !flat && building?.use === 'RESIDENTIAL' ? 0.82 + 0.06 * u : 0.72 + 0.08 * u;
  return Math.round(house.areaM2 * ratio * 10) / 10;
}

/** Crowded by the group-rental rules: more than two people per room, or under 5 m2 of usable area each. */
export function isCrowdedOnUsableArea(rooms: number, usableAreaM2: number, people: number): boolean {
  return people > 0 && (people > 2 * rooms || usableAreaM2 / people < 5);
}

function structureOf(b: DemoBuilding, flat: boolean): BuildingStructure {
  if (b.use === 'COMMERCIAL' || b.floors >= 7) return 'REINFORCED_CONCRETE';
  if (!flat && b.use === 'RESIDENTIAL') return b.builtYear < 1990 ? 'BRICK_WOOD' : 'BRICK_CONCRETE';
  return 'BRICK_CONCRETE';
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
  // Public rental housing (公租房) is the housing authority's; property companies and committees own no dwellings.
  const authority = housingAuthorityId(facts);
  const orgOwner = (): Owner => ({ resident: null, org: authority });
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

  // What housing registers of each house and building: usable area, property nature, structure.
  const flats = new Set(facts.apartmentBuildings.map((b) => b.code));
  const buildingByCode = new Map(facts.buildings.map((b) => [b.code, b]));
  const usable = new Map(houses.map((h) => [h.code, usableAreaOf(h, buildingByCode.get(h.buildingCode), flats.has(h.buildingCode))]));
  const crowdedNow = (h: DemoHouse) => isCrowdedOnUsableArea(h.rooms, usable.get(h.code)!, (occupants.get(h.code) ?? []).length);
  const natureOf = (h: DemoHouse): PropertyNature => {
    if (owners.get(h.code)?.some((o) => o.org === authority)) return 'PUBLIC_RENTAL';
    const b = buildingByCode.get(h.buildingCode);
    if (!flats.has(h.buildingCode) && b?.use === 'RESIDENTIAL') return 'SELF_BUILT';
    // Flats in villages are resettlement compounds (安置小区); flats sold to their tenants in the 1990s reform (房改房).
    if (info.community.kind === 'VILLAGE' && b?.use === 'RESIDENTIAL') return 'RESETTLEMENT';
    if ((b?.builtYear ?? 2000) < 1999 && b?.use === 'RESIDENTIAL' && mix32(Number(h.code.slice(-4)), 0x4f) % 10 < 6) return 'REFORM';
    return 'COMMODITY';
  };
  const houseDetails: DemoHouseDetails[] = houses.map((h) => ({ houseCode: h.code, usableAreaM2: usable.get(h.code)!, propertyNature: natureOf(h) }));
  const buildingDetails: DemoBuildingDetails[] = facts.buildings.map((b) => ({ buildingCode: b.code, structure: structureOf(b, flats.has(b.code)) }));

  // Rental registrations: every house where floating families or group renters live.
  const tenancies: DemoTenancy[] = [];
  const groupRentals: DemoGroupRental[] = [];
  for (const house of houses) {
    const hs = households0.get(house.code);
    if (!hs || !hs.some((h) => h.kind === 'FLOATING' || h.kind === 'GROUP')) continue;
    const people = occupants.get(house.code) ?? [];
    const crowded = crowdedNow(house);
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
  // Open group rentals: let houses crowded now. Rectified ones: let houses crowded when identified and not now, as
  // many as keep rectified ones at 44% of all over the pass (a shortfall carries over to the next grids).
  const let_ = new Set(tenancies.map((t) => t.houseCode));
  const open = houses.filter((h) => let_.has(h.code) && crowdedNow(h));
  session.rectifiedOwed += open.length * RECTIFIED_PER_OPEN;
  const compliant = houses.filter((h) => let_.has(h.code) && !crowdedNow(h));
  const nRectified = Math.min(Math.floor(session.rectifiedOwed), compliant.length);
  session.rectifiedOwed -= nRectified;
  const rectified = new Set(rng.shuffle(compliant).slice(0, nRectified).map((h) => h.code));
  const statusOf = new Map<string, DemoGroupRental['status']>(open.map((h) => [h.code, groupRentalStatus(session.groupRentals++)]));
  for (const house of houses) {
    const status = rectified.has(house.code) ? 'RECTIFIED' : statusOf.get(house.code);
    if (!status) continue;
    groupRentals.push(groupRental(facts, rng, house, occupants.get(house.code) ?? [], groupRentals.length + 1, status, usable.get(house.code)!));
  }

  // The property company and the owners' committees of the compounds it manages.
  const propertyCompanies = orgs.propertyCompany
    ? [{ organizationId: orgs.propertyCompany.id, managedBuildingCodes: orgs.propertyCompany.buildingCodes }]
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
    records: { houses: houseDetails, buildings: buildingDetails, ownerships, tenancies, groupRentals, propertyCompanies, ownersCommittees },
    housing: { owners, groupRentals },
  };
}

function groupRental(
  facts: GridFacts,
  rng: Rng,
  house: DemoHouse,
  people: number[],
  seq: number,
  status: DemoGroupRental['status'],
  usableAreaM2: number,
): DemoGroupRental {
  const { residents } = facts;
  let latest = LAST_DAY - 540;
  for (const i of people) {
    const f = residents[i]?.floating;
    if (f) latest = Math.max(latest, dayOfIso(f.inflowDate));
  }
  const now = people.length;
  // A rectified house was crowded when identified: the fewest people that broke a limit, or a few more.
  const crowdedFrom = Math.min(2 * house.rooms + 1, Math.floor(usableAreaM2 / 5) + 1);
  const n = status === 'RECTIFIED' ? Math.max(now + 1, crowdedFrom) + rng.int(0, 2) : now;
  const done = status === 'RECTIFIED' || status === 'RELAPSED';
  // Rectified cases need room for interview, rectification and re-inspection before today.
  const identified = dayBetween(rng, Math.min(latest, LAST_DAY - (done ? 200 : 20)), LAST_DAY - (done ? 120 : 1));
  const interviewed = status === 'IDENTIFIED' ? null : Math.min(LAST_DAY, identified + rng.int(2, 30));
  const rectifiedOn = done && interviewed !== null ? Math.min(LAST_DAY, interviewed + rng.int(5, 40)) : null;
  const inspections = rectifiedOn === null ? [] : [{
    inspectedOn: isoOf(Math.min(LAST_DAY, rectifiedOn + rng.int(20, 45))),
    occupantCount: now,
    result: status === 'RELAPSED' ? 'RELAPSED' as const : 'COMPLIANT' as const,
  }];
  const bedLetting = n > 2 * house.rooms + 1 || rng.chance(0.2);
  const partitioned = rng.chance(0.45);
  const perPerson = (usableAreaM2 / n).toFixed(1);
  const practices = [partitioned ? '客厅隔断出租' : null, bedLetting ? '按床位出租' : null].filter(Boolean).join('、') || rng.pick(['阳台改作卧室', '厨房改作住人']);
  const base = `${house.rooms}室${n}人居住，人均使用面积${perPerson}平方米，${practices}`;
  const note =
    status === 'IDENTIFIED' ? `${base}；网格员巡查发现，待约谈房东`
      : status === 'INTERVIEWED' ? `${base}；已约谈房东及承租人，责令限期整改`
        : status === 'RECTIFIED' ? `${base}；已约谈并完成整改，拆除隔断，复查合格（现住${now}人）`
          : `${base}；整改后复查发现复租超员（现住${now}人），重新列入整治`;
  return {
    id: `QZ${facts.grid.code}${pad(seq, 3)}`,
    houseCode: house.code,
    status,
    identifiedOn: isoOf(identified),
    interviewedOn: interviewed === null ? null : isoOf(interviewed),
    rectifiedOn: rectifiedOn === null ? null : isoOf(rectifiedOn),
    occupantCount: n,
    partitioned,
    bedLetting,
    inspections,
    note,
  };
}

/** Where a year's serials start: the city registers far more than this district, so numbers do not start at 1. */
const yearBase = (year: number, range: number) => 1000 + (mix32(year, 0x7e57) % range);

/** A YYYY-MM-DD string back to a day number (only for dates the generator itself wrote). */
export function dayOfIso(iso: string): number {
  return dayOf(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)), Number(iso.slice(8, 10)));
}

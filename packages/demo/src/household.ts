/**
 * Who lives together: household templates by size, with ages that fit the roles (parents 22-34 years older than
 * their children, elderly heads with grown children and grandchildren) and surnames passed down the male line.
 */
import type { DemoResident, Sex } from './types.ts';
import { pickSurname } from './names.ts';
import { Rng, WeightedTable } from './random.ts';

export type Relation = DemoResident['relationToHead'];
export type HouseholdKind = 'REGISTERED' | 'FLOATING' | 'OVERSEAS';

export interface MemberSpec {
  relation: Relation;
  sex: Sex;
  age: number;
  surname: string;
}

interface Template {
  spouse: boolean;
  children: number;
  parents: number;
  /** An elderly head living with a grown child (and the child's spouse) and grandchildren. */
  elderHead: boolean;
  childSpouse: boolean;
  grandchildren: number;
  others: number;
  headAge: readonly [number, number];
}

const T = (t: Partial<Template> & { headAge: readonly [number, number] }): Template => ({
  spouse: false,
  children: 0,
  parents: 0,
  elderHead: false,
  childSpouse: false,
  grandchildren: 0,
  others: 0,
  ...t,
});

const TEMPLATES: Record<number, ReadonlyArray<readonly [Template, number]>> = {
  2: [
    // Couples whose children have moved out (空巢 couples of 60-79) are most older two-person households: with them
    // the 60+ share is the 2020 census's 18.7 % while 0-14 and 80+ stay where the other templates put them.
    [T({ spouse: true, headAge: [22, 86] }), 55],
    [T({ spouse: true, headAge: [60, 79] }), 18],
    [T({ children: 1, headAge: [28, 62] }), 22],
    [T({ parents: 1, headAge: [25, 60] }), 10],
    [T({ others: 1, headAge: [20, 70] }), 8],
  ],
  3: [
    [T({ spouse: true, children: 1, headAge: [24, 48] }), 70],
    [T({ children: 2, headAge: [30, 48] }), 6],
    [T({ spouse: true, parents: 1, headAge: [26, 58] }), 10],
    [T({ elderHead: true, children: 1, grandchildren: 1, headAge: [50, 78] }), 7],
    [T({ spouse: true, others: 1, headAge: [22, 70] }), 7],
  ],
  4: [
    [T({ spouse: true, children: 2, headAge: [28, 46] }), 45],
    [T({ spouse: true, children: 1, parents: 1, headAge: [28, 45] }), 30],
    [T({ elderHead: true, spouse: true, children: 1, grandchildren: 1, headAge: [50, 78] }), 12],
    [T({ spouse: true, parents: 2, headAge: [26, 55] }), 8],
    [T({ elderHead: true, children: 1, childSpouse: true, grandchildren: 1, headAge: [50, 80] }), 10],
  ],
  5: [
    [T({ spouse: true, children: 2, parents: 1, headAge: [30, 56] }), 35],
    [T({ spouse: true, children: 1, parents: 2, headAge: [28, 56] }), 35],
    [T({ elderHead: true, spouse: true, children: 1, childSpouse: true, grandchildren: 1, headAge: [50, 78] }), 20],
    [T({ spouse: true, children: 3, headAge: [32, 55] }), 10],
  ],
  6: [
    [T({ spouse: true, children: 2, parents: 2, headAge: [30, 56] }), 50],
    [T({ elderHead: true, spouse: true, children: 1, childSpouse: true, grandchildren: 2, headAge: [52, 80] }), 40],
    [T({ spouse: true, children: 3, parents: 1, headAge: [34, 56] }), 10],
  ],
};

const tables = (withElders: boolean) =>
  new Map(
    Object.entries(TEMPLATES).map(([size, entries]) => [
      Number(size),
      new WeightedTable(entries.filter(([t]) => withElders || !t.elderHead)),
    ]),
  );
const ALL_TEMPLATES = tables(true);
/** Floating households are mostly working-age people; elderly-headed ones are left out. */
const YOUNG_TEMPLATES = tables(false);

/**
 * Household sizes, calibrated so that family households average 2.62 people as in the 2020 census (第七次全国人口普查:
 * 2.62 people per family household; 1-person 25.4 %, 2-person 29.7 %, 3-person 21.0 %, 4-person 13.2 %, 5+ 10.8 %).
 * Floating people more often live alone or as couples, so registered households are a little bigger than the mean.
 */
const SIZES: Record<HouseholdKind, WeightedTable<number>> = {
  REGISTERED: new WeightedTable([[1, 18], [2, 27], [3, 24], [4, 16], [5, 9], [6, 6]]),
  FLOATING: new WeightedTable([[1, 26], [2, 27], [3, 27], [4, 14], [5, 6]]),
  OVERSEAS: new WeightedTable([[1, 30], [2, 35], [3, 25], [4, 10]]),
};

export function pickHouseholdSize(rng: Rng, kind: HouseholdKind): number {
  return SIZES[kind].pick(rng);
}

const opposite = (sex: Sex): Sex => (sex === 'MALE' ? 'FEMALE' : 'MALE');
const randomSex = (rng: Rng): Sex => (rng.chance(0.5) ? 'MALE' : 'FEMALE');
const clampAge = (age: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, age));

/** The members of one household, head first. */
export function composeHousehold(rng: Rng, size: number, kind: HouseholdKind): MemberSpec[] {
  if (size <= 1) return [single(rng, kind)];
  const table = (kind === 'FLOATING' ? YOUNG_TEMPLATES : ALL_TEMPLATES).get(Math.min(size, 6));
  if (!table) throw new RangeError(`no household template of size ${size}`);
  const t = table.pick(rng);
  const [minAge, maxAge] = t.headAge;
  const head = rng.int(minAge, kind === 'FLOATING' ? Math.max(minAge, Math.min(maxAge, 55)) : maxAge);
  const headSex: Sex = t.spouse
    ? rng.chance(0.82) ? 'MALE' : 'FEMALE'
    : t.children > 0 && !t.elderHead
      ? rng.chance(0.7) ? 'FEMALE' : 'MALE'
      : t.elderHead
        ? rng.chance(0.55) ? 'FEMALE' : 'MALE'
        : randomSex(rng);
  const headSurname = pickSurname(rng);
  const members: MemberSpec[] = [{ relation: 'SELF', sex: headSex, age: head, surname: headSurname }];

  let familySurname = headSurname;
  let motherAge = headSex === 'FEMALE' ? head : head - 2;
  if (t.spouse) {
    const gap = rng.int(-1, 5); // husbands are a little older
    const age = clampAge(headSex === 'MALE' ? head - gap : head + gap, 20, 98);
    const surname = pickSurname(rng);
    members.push({ relation: 'SPOUSE', sex: opposite(headSex), age, surname });
    if (headSex === 'FEMALE') familySurname = surname;
    else motherAge = age;
  }
  const motherSurname = headSex === 'FEMALE' ? headSurname : (members[1]?.surname ?? headSurname);
  const childSurname = () => (rng.chance(0.92) ? familySurname : motherSurname);

  if (t.elderHead) {
    // One grown child (a son when his wife lives here too) and grandchildren.
    const childAge = clampAge(motherAge - rng.int(24, 34), 18, 70);
    const childSex: Sex = t.childSpouse ? (rng.chance(0.85) ? 'MALE' : 'FEMALE') : randomSex(rng);
    const child: MemberSpec = { relation: 'CHILD', sex: childSex, age: childAge, surname: childSurname() };
    members.push(child);
    let youngMotherAge = childAge;
    let grandSurname = childSex === 'MALE' ? child.surname : rng.chance(0.3) ? child.surname : pickSurname(rng);
    if (t.childSpouse) {
      const age = clampAge(childAge + rng.int(-3, 3), 20, 70);
      const surname = pickSurname(rng);
      members.push({ relation: 'OTHER_RELATIVE', sex: opposite(childSex), age, surname });
      if (childSex === 'MALE') youngMotherAge = age;
      else grandSurname = surname;
    }
    let age = youngMotherAge - rng.int(22, 32);
    for (let i = 0; i < t.grandchildren; i++) {
      members.push({ relation: 'GRANDCHILD', sex: randomSex(rng), age: Math.max(0, age), surname: grandSurname });
      age -= rng.int(2, 6);
    }
  } else {
    let age = motherAge - rng.int(22, 34);
    if (age < 0) age = rng.int(0, Math.max(0, motherAge - 20));
    for (let i = 0; i < t.children; i++) {
      members.push({ relation: 'CHILD', sex: randomSex(rng), age: Math.max(0, age), surname: childSurname() });
      age -= rng.int(2, 7);
    }
  }

  if (t.parents > 0) {
    // The head's own parents: the father shares the head's surname.
    const father = clampAge(head + rng.int(24, 34), 45, 99);
    const mother = clampAge(father - rng.int(0, 4), 43, 99);
    if (t.parents >= 2 || rng.chance(0.35)) members.push({ relation: 'PARENT', sex: 'MALE', age: father, surname: headSurname });
    if (t.parents >= 2 || members.length < size) {
      members.push({ relation: 'PARENT', sex: 'FEMALE', age: mother, surname: pickSurname(rng) });
    }
  }

  for (let i = 0; i < t.others; i++) {
    // A sibling of the head, or another relative with a different surname.
    members.push({
      relation: 'OTHER_RELATIVE',
      sex: randomSex(rng),
      age: clampAge(head + rng.int(-8, 8), 18, 95),
      surname: rng.chance(0.6) ? headSurname : pickSurname(rng),
    });
  }
  return members.slice(0, size);
}

/** Ages of elderly people living alone, by decade: fewer as they grow old (and more of them move in with children). */
const ELDERLY_DECADES = new WeightedTable<readonly [number, number]>([[[60, 69], 52], [[70, 79], 34], [[80, 89], 12], [[90, 97], 2]]);

function single(rng: Rng, kind: HouseholdKind): MemberSpec {
  const elderly = kind === 'REGISTERED' && rng.chance(0.45);
  const sex: Sex = elderly ? (rng.chance(0.62) ? 'FEMALE' : 'MALE') : rng.chance(0.58) ? 'MALE' : 'FEMALE';
  const age = elderly ? rng.int(...ELDERLY_DECADES.pick(rng)) : kind === 'FLOATING' ? rng.int(18, 50) : rng.int(20, 59);
  return { relation: 'SELF', sex, age, surname: pickSurname(rng) };
}

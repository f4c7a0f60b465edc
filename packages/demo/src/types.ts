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

export interface DemoResident {
  idNumber: string; // valid 18-character citizen ID number
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
}

export interface DemoGridContents {
  grid: DemoGrid;
  buildings: DemoBuilding[];
  houses: DemoHouse[];
  residents: DemoResident[];
  workers: DemoGridWorker[];
}

export interface DemoOptions {
  /** Number of residents in the whole district (approximate to within one household per grid). */
  residents: number;
  /** PRNG seed: the same seed and size always give the same district. */
  seed?: number;
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

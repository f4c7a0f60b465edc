import { BUILDING_CODE, HOUSE_CODE } from '@hub/core';
import { GROUP_RENTAL_ID } from './keys.ts';

/** Housing's paged lists: each cursor names its list, so a cursor of one list handed to another is refused. */
export const BUILDINGS = { kind: 'buildings', keyPattern: BUILDING_CODE, keyOf: (b: { code: string }) => b.code };
export const HOUSES = { kind: 'houses', keyPattern: HOUSE_CODE, keyOf: (h: { code: string }) => h.code };
export const GROUP_RENTALS = { kind: 'group-rentals', keyPattern: GROUP_RENTAL_ID, keyOf: (r: { id: string }) => r.id };

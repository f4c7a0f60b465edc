import { pageRequest, toConnection, type PageRequest } from '@hub/core';
import { BUILDING_CODE, GROUP_RENTAL_ID, HOUSE_CODE } from './codes.ts';

/** Cursor kinds: a cursor of one list handed to another is refused. */
export const BUILDING_PAGE = 'buildings';
export const HOUSE_PAGE = 'houses';
export const GROUP_RENTAL_PAGE = 'group-rentals';

export const buildingPage = (args: { first?: number | null; after?: string | null }): PageRequest =>
  pageRequest(BUILDING_PAGE, args, BUILDING_CODE);
export const housePage = (args: { first?: number | null; after?: string | null }): PageRequest =>
  pageRequest(HOUSE_PAGE, args, HOUSE_CODE);
export const groupRentalPage = (args: { first?: number | null; after?: string | null }): PageRequest =>
  pageRequest(GROUP_RENTAL_PAGE, args, GROUP_RENTAL_ID);

export function groupRentalConnection<T extends { id: string }>(rows: T[], page: PageRequest, totalCount: number) {
  return { ...toConnection(GROUP_RENTAL_PAGE, rows, page, (r) => r.id), totalCount };
}

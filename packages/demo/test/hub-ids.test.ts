import { describe, expect, it } from 'vitest';
import { DEMO_HUB_SECRET, residentKey } from '@hub/core';
import { generateDemoWorld, hubIdsOf } from '../src/index.ts';

describe('hub ids shared by the departments seeding a grid', () => {
  it('are the keyed hashes residentKey gives, per secret, for every person of the grid and for people of other grids', () => {
    const [first, second] = [...generateDemoWorld({ residents: 400, seed: 3 }).gridContents()];
    const ids = hubIdsOf(first!, DEMO_HUB_SECRET);
    const again = hubIdsOf(first!, DEMO_HUB_SECRET);
    const otherSecret = hubIdsOf(first!, 'another secret');
    for (const person of first!.residents) {
      expect(ids(person.idNumber)).toBe(residentKey(person.idNumber, DEMO_HUB_SECRET));
      expect(again(person.idNumber)).toBe(ids(person.idNumber));
      expect(otherSecret(person.idNumber)).toBe(residentKey(person.idNumber, 'another secret'));
    }
    const stranger = second!.residents[0]!.idNumber;
    expect(ids(stranger)).toBe(residentKey(stranger, DEMO_HUB_SECRET));
  });
});

import { maskIdNumber, maskName, maskPhone } from '@hub/core';
import { cloneDatabase } from '@hub/core/testing';
import { generateDemoWorld } from '@hub/demo';
import { TEST_DEMO } from '@hub/demo/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { verifyAuditChain } from '@hub/audit-trail/verify';
import { createAuditWriter, redactVariables, REDACTED, type AuditWriter } from '@hub/audit-trail';
import { operation } from '@hub/audit-trail/testing';

const world = generateDemoWorld(TEST_DEMO);
const person = [...world.gridContents()].flatMap((c) => c.residents).find((r) => r.phone && [...r.name].length >= 2)!;
const phone = person.phone!;

let url: string;
let drop: () => Promise<void>;
let trail: AuditWriter;

beforeAll(async () => {
  const clone = await cloneDatabase(inject('templateUrl'));
  url = clone.url;
  drop = clone.drop;
  trail = createAuditWriter(url);
});

afterAll(async () => {
  await trail?.close();
  await drop?.();
});

describe('redactVariables', () => {
  it('masks values under personal keys and ID numbers and phones anywhere', () => {
    expect(
      redactVariables({
        idNumber: person.idNumber,
        phone,
        name: person.name,
        nameContains: person.name,
        input: {
          contactPhone: Number(phone),
          legalRepresentativeName: person.name,
          registeredAddress: person.registeredAddress,
          note: `${person.name} called from ${phone}`,
          parties: [{ id_number: person.idNumber, fullName: person.name }],
        },
        query: `who is ${person.idNumber}, tel ${phone}?`,
        idNumbers: [person.idNumber],
        name_parts: { surname: 'x', given: 'y' },
        gridCode: '320311001001001',
        first: 20,
        flag: true,
        nothing: null,
      }),
    ).toEqual({
      idNumber: maskIdNumber(person.idNumber),
      phone: maskPhone(phone),
      name: maskName(person.name),
      nameContains: maskName(person.name),
      input: {
        contactPhone: maskPhone(phone),
        legalRepresentativeName: maskName(person.name),
        registeredAddress: REDACTED,
        note: REDACTED,
        parties: [{ id_number: maskIdNumber(person.idNumber), fullName: maskName(person.name) }],
      },
      query: `who is ${maskIdNumber(person.idNumber)}, tel ${maskPhone(phone)}?`,
      idNumbers: [maskIdNumber(person.idNumber)],
      name_parts: REDACTED,
      gridCode: '320311001001001',
      first: 20,
      flag: true,
      nothing: null,
    });
  });

  it('keeps correlation ids of the hub\'s shapes as they are, even where their digits read as a number', () => {
    // Random ids whose digits happen to read as a landline and a phone: masked, they would join no log line.
    const traceId = 'a0512345678f0000a0512345678f0000';
    const spanId = '13812345678aaaaa';
    const jti = 'AAAAAA13812345678AAAAA';
    expect(redactVariables({ requestId: 'desk-7.req-0001', traceId, spanId, jti })).toEqual({ requestId: 'desk-7.req-0001', traceId, spanId, jti });
    // Another shape under those keys is text like any other: a number in it is masked.
    expect(redactVariables({ requestId: '13812345678', traceId: `call ${phone}` })).toEqual({ requestId: '138****5678', traceId: `call ${maskPhone(phone)}` });
  });

  it('keeps what JSONB can store: no NUL, no lone surrogate, bounded size and depth', () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 40; i++) deep = { level: deep };
    const redacted = redactVariables({ text: 'a\u0000b\uD800c', long: 'x'.repeat(5000), list: Array.from({ length: 1500 }, (_, i) => i), deep });
    const json = JSON.stringify(redacted);
    expect(json).not.toContain('\\u0000');
    expect(json).not.toMatch(/\\ud8/i);
    expect((redacted as { long: string }).long).toHaveLength(1000 + '…(5000 characters)'.length);
    expect((redacted as { list: unknown[] }).list).toHaveLength(1001);
    expect(json).toContain(REDACTED);
    expect(json).not.toContain('bottom');
  });
});

describe('a record with personal data in its variables', () => {
  it('is stored redacted, and its hash holds when read back', async () => {
    const { seq } = await trail.write(
      operation(1, {
        operationName: 'ResidentByIdNumber',
        variables: {
          idNumber: person.idNumber,
          phone,
          name: person.name,
          filter: { text: `${person.idNumber} ${phone}`, odd: 'nul\u0000 and \uDC00 lone' },
        },
      }),
    );
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const stored = await client.query<{ text: string }>('SELECT audit_records::text AS text FROM audit_records WHERE seq = $1', [seq]);
    await client.end();
    const row = stored.rows[0]!.text;
    expect(row).not.toContain(person.idNumber);
    expect(row).not.toContain(phone);
    expect(row).not.toContain(person.name);
    expect(row).toContain(maskIdNumber(person.idNumber));
    expect(row).toContain(maskPhone(phone));
    expect(await verifyAuditChain(url)).toMatchObject({ ok: true });
  });
});

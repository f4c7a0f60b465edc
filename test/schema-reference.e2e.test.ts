import { readFileSync } from 'node:fs';
import { Kind, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { REFERENCE_PATH, renderSchemaReference, SUPERGRAPH_PATH } from '../docs/schema-reference.ts';

/** docs/schema-reference.md: generated from the committed supergraph, and saying what the supergraph says. */
const supergraph = readFileSync(SUPERGRAPH_PATH, 'utf8');
const reference = readFileSync(REFERENCE_PATH, 'utf8');
/** The table row of a field in a type's section. */
function row(type: string, field: string): string {
  const section = reference.split(/\n## /).find((s) => s.startsWith(`${type}\n`));
  expect(section, `a section for ${type}`).toBeDefined();
  const line = section!.split('\n').find((l) => l.startsWith(`| \`${field}`) && /^\| `\w+[(`]/.test(l));
  expect(line, `${type}.${field} in the reference`).toBeDefined();
  return line!;
}

describe('the schema reference', () => {
  it('is fresh: what `npm run codegen` makes of the committed supergraph', () => {
    expect(reference).toBe(renderSchemaReference(supergraph));
  });

  it('has a section for every type of the graph and a row for every field', () => {
    for (const definition of parse(supergraph).definitions) {
      if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION || /^(join__|link__)/.test(definition.name.value)) continue;
      for (const field of definition.fields ?? []) row(definition.name.value, field.name.value);
    }
  });

  it('names the owning department and the departments contributing fields', () => {
    expect(reference).toMatch(/## Grid\n\n[^\n]*\n\n\*key `code`\. owned by \*\*civil-affairs\*\*/);
    expect(reference).toMatch(/## Resident\n\n[^\n]*\n\n\*key `id`\. owned by \*\*public-security\*\*/);
    expect(row('Grid', 'buildings')).toContain('| housing |');
    expect(row('Resident', 'partyMembership')).toContain('| party |');
  });

  it('names the scopes and policies a field needs', () => {
    expect(row('Query', 'auditRecords')).toContain('scopes `audit:read`; policy `purpose:audit`');
    expect(row('Grid', 'welfareCounts')).toContain('scopes `welfare:read`, or `statistics:read`');
    expect(row('Grid', 'welfareCounts')).toContain('救助福利对象统计');
  });
});

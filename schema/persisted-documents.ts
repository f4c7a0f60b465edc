/**
 * Builds the trusted-documents manifest (`schema/persisted-documents.json`): every client operation under
 * `clients/` and `test/operations/` (and any further operation directories named on the command line), each with the fragments it
 * spreads, printed by graphql-js and keyed by the SHA-256 of that text, the hash Apollo's persisted-query extension
 * (`extensions.persistedQuery.sha256Hash`) and `documentId` carry. `npm run codegen` runs it; the output is committed
 * and CI fails when it is stale. Deterministic: the same operations give the same bytes.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  buildSchema,
  Kind,
  parse,
  print,
  validate,
  visit,
  type DefinitionNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
} from 'graphql';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const MANIFEST_PATH = join(ROOT, 'schema', 'persisted-documents.json');
// The client kit's operations (clients/<app>/) and the tests' own.
const DEFAULT_DIRECTORIES = ['test/operations', 'clients'];

export const documentHash = (document: string): string => createHash('sha256').update(document).digest('hex');

function graphqlFiles(directory: string): string[] {
  return readdirSync(directory)
    .sort()
    .flatMap((name) => {
      const path = join(directory, name);
      if (statSync(path).isDirectory()) return graphqlFiles(path);
      return name.endsWith('.graphql') || name.endsWith('.gql') ? [path] : [];
    });
}

/** Hash → document for every operation in the sources; fragments are appended in name order. */
export function buildManifest(sources: { name: string; body: string }[], apiSchemaSdl: string): Record<string, string> {
  const schema = buildSchema(apiSchemaSdl);
  const operations: OperationDefinitionNode[] = [];
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const source of sources) {
    for (const definition of parse(source.body, { noLocation: true }).definitions) {
      if (definition.kind === Kind.OPERATION_DEFINITION) {
        if (!definition.name) throw new Error(`${source.name}: every trusted operation needs a name`);
        operations.push(definition);
      } else if (definition.kind === Kind.FRAGMENT_DEFINITION) {
        if (fragments.has(definition.name.value)) throw new Error(`${source.name}: fragment ${definition.name.value} is defined twice`);
        fragments.set(definition.name.value, definition);
      }
    }
  }
  const names = new Set<string>();
  const entries: [string, string, string][] = [];
  for (const operation of operations) {
    const name = operation.name!.value;
    if (names.has(name)) throw new Error(`operation ${name} is defined twice`);
    names.add(name);
    const used = new Map<string, FragmentDefinitionNode>();
    const collect = (node: DefinitionNode) =>
      visit(node, {
        FragmentSpread(spread) {
          const fragment = fragments.get(spread.name.value);
          if (!fragment) throw new Error(`operation ${name} spreads unknown fragment ${spread.name.value}`);
          if (!used.has(fragment.name.value)) {
            used.set(fragment.name.value, fragment);
            collect(fragment);
          }
        },
      });
    collect(operation);
    const document = { kind: Kind.DOCUMENT, definitions: [operation, ...[...used.values()].sort((a, b) => a.name.value.localeCompare(b.name.value))] } as const;
    const errors = validate(schema, document);
    if (errors.length > 0) throw new Error(`operation ${name} does not validate against schema/api.graphql: ${errors.map((e) => e.message).join('; ')}`);
    const text = print(document);
    entries.push([name, documentHash(text), text]);
  }
  entries.sort(([a], [b]) => a.localeCompare(b));
  return Object.fromEntries(entries.map(([, hash, text]) => [hash, text]));
}

/** The manifest file's text for the operations under the directories (relative to the repository root). */
export function freshManifestText(directories: string[] = DEFAULT_DIRECTORIES): { text: string; count: number } {
  const files = directories.flatMap((d) => graphqlFiles(join(ROOT, d)));
  const sources = files.map((file) => ({ name: relative(ROOT, file), body: readFileSync(file, 'utf8') }));
  const manifest = buildManifest(sources, readFileSync(join(ROOT, 'schema', 'api.graphql'), 'utf8'));
  return { text: `${JSON.stringify(manifest, null, 2)}\n`, count: Object.keys(manifest).length };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { text, count } = freshManifestText(process.argv.slice(2).length > 0 ? process.argv.slice(2) : undefined);
  writeFileSync(MANIFEST_PATH, text);
  console.log(`persisted documents: ${count} operations → ${relative(ROOT, MANIFEST_PATH)}`);
}

import { createHash } from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';
import { distinctHubIds, type AuditRecordInput } from '@hub/audit-trail';
import type { Caller } from '@hub/core';
import {
  buildSchema,
  getNamedType,
  isCompositeType,
  isInterfaceType,
  isObjectType,
  Kind,
  print,
  type DocumentNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';

/** Where audit records go: the audit department's writer, or anything with the same `write`. */
export interface AuditSink {
  write(record: AuditRecordInput): Promise<unknown>;
}

/**
 * Fields whose values fall in a sensitive category (PIPL art. 28): reading one is recorded with its category.
 * Minors are recognised from the answer itself (a resident under 14).
 */
const CATEGORY_OF_FIELD: Record<string, string> = {
  'Resident.idNumber': 'identity',
  'Resident.phone': 'identity',
  'Resident.documentNumber': 'identity',
  'OverseasDetails.permitNumber': 'identity',
  'Resident.hukouPlace': 'address',
  'Household.residence': 'address',
  'GridWorker.phone': 'identity',
  'Resident.keyPerson': 'key-person',
  'Grid.keyPersons': 'key-person',
  'Grid.specialGroups': 'key-person',
  'WelfareEntitlement.disabilityCertificateNumber': 'health',
  'Resident.disability': 'health',
  'Grid.disabilityRecords': 'health',
  // Medical assistance tells of an illness and its treatment.
  'Resident.medicalAssistance': 'health',
  'Grid.medicalAssistance': 'health',
  'AssistanceGrant.medicalEpisode': 'health',
  // Care lists name who lives alone or is left behind (specific identities, and minors among them).
  'Resident.careRecords': 'care',
  'Grid.careRecords': 'care',
  'Query.careRecordColumns': 'care',
  'Resident.registeredAddress': 'address',
  'Resident.residence': 'address',
  'House.address': 'address',
  'Building.address': 'address',
};
const MINOR_AGE = 14;
/** Column pages (列式分页) and the column holding the hub ids of the residents their rows are about. */
const RESIDENT_ID_COLUMN: Record<string, string> = {
  ResidentColumns: 'ids',
  PartyMemberColumns: 'residentIds',
  CareRecordColumns: 'residentIds',
  WelfareEntitlementColumns: 'residentIds',
};

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * What the audit looks at in one operation's answers, worked out once per document: for each selection, the
 * response key to read, the sensitive category its field is, whether it is a resident's id or age or a column page's
 * ids or ages, and what to look at below it; a selection with nothing of that anywhere below it is left out, so an
 * answer is walked only where something can be observed.
 */
interface Observed {
  key: string;
  category: string | undefined;
  residentId: boolean;
  residentAge: boolean;
  columnIds: boolean;
  columnAges: boolean;
  children: Observed[] | undefined;
}

const observers = new WeakMap<GraphQLSchema, { byDocument: WeakMap<DocumentNode, Observed[]>; byHash: Map<string, Observed[]> }>();
const MAX_OBSERVERS_BY_HASH = 1_000;

/**
 * The observer of a document: kept with the document (Apollo Server keeps one per distinct query), and by the
 * operation's hash when given, since the policy plugin hands each request of a caller with refused fields a freshly
 * filtered copy (its hash names the filtered text).
 */
function observerOf(schema: GraphQLSchema, document: DocumentNode, hash?: string): Observed[] {
  let caches = observers.get(schema);
  if (!caches) observers.set(schema, (caches = { byDocument: new WeakMap(), byHash: new Map() }));
  let observer = caches.byDocument.get(document) ?? (hash === undefined ? undefined : caches.byHash.get(hash));
  if (!observer) {
    observer = compileObserver(schema, document);
    if (hash !== undefined) {
      if (caches.byHash.size >= MAX_OBSERVERS_BY_HASH) caches.byHash.delete(caches.byHash.keys().next().value!);
      caches.byHash.set(hash, observer);
    }
  }
  caches.byDocument.set(document, observer);
  return observer;
}

function compileObserver(schema: GraphQLSchema, document: DocumentNode): Observed[] {
  const operation = document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
  const fragments = new Map(document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])));
  if (!operation || operation.kind !== Kind.OPERATION_DEFINITION) return [];
  const root = schema.getRootType(operation.operation);
  // Fragments are read in place, with their type condition's fields, as many times as they are spread.
  function compile(selectionSet: SelectionSetNode, type: GraphQLCompositeType, spreading: string[]): Observed[] {
    const observed: Observed[] = [];
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT || selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = selection.kind === Kind.INLINE_FRAGMENT ? selection : fragments.get(selection.name.value);
        if (!fragment) continue;
        const name = selection.kind === Kind.FRAGMENT_SPREAD ? selection.name.value : undefined;
        if (name && spreading.includes(name)) continue;
        const condition = fragment.typeCondition ? schema.getType(fragment.typeCondition.name.value) : type;
        observed.push(...compile(fragment.selectionSet, condition && isCompositeType(condition) ? condition : type, name ? [...spreading, name] : spreading));
        continue;
      }
      const field = selection.name.value;
      let children: Observed[] | undefined;
      if (selection.selectionSet && (isObjectType(type) || isInterfaceType(type))) {
        const definition = type.getFields()[field];
        const child = definition && getNamedType(definition.type);
        if (child && isCompositeType(child)) children = compile(selection.selectionSet, child, spreading);
      }
      const entry: Observed = {
        key: selection.alias?.value ?? field,
        category: CATEGORY_OF_FIELD[`${type.name}.${field}`],
        residentId: type.name === 'Resident' && field === 'id',
        residentAge: type.name === 'Resident' && field === 'age',
        columnIds: RESIDENT_ID_COLUMN[type.name] === field,
        columnAges: RESIDENT_ID_COLUMN[type.name] !== undefined && field === 'ages',
        children: children && children.length > 0 ? children : undefined,
      };
      if (entry.category || entry.residentId || entry.residentAge || entry.columnIds || entry.columnAges || entry.children) observed.push(entry);
    }
    return observed;
  }
  return root ? compile(operation.selectionSet, root, []) : [];
}

/** The sensitive categories an answer holds and the residents it concerns, read from the answer itself. */
export function observeAnswer(schema: GraphQLSchema, document: DocumentNode, data: Json | undefined, hash?: string): { categories: string[]; residentIds: string[] } {
  const categories = new Set<string>();
  const residentIds = new Set<string>();
  // A column page's ids, kept as the lists they are: 5,000 of them into the set cost more than sorting them once.
  const columnLists: unknown[][] = [];
  function walk(observer: Observed[], value: Json | undefined): void {
    if (value === null || value === undefined) return;
    if (Array.isArray(value)) {
      for (const item of value) walk(observer, item);
      return;
    }
    if (typeof value !== 'object') return;
    for (const entry of observer) {
      const fieldValue = value[entry.key];
      if (fieldValue === undefined || fieldValue === null) continue;
      if (entry.residentId && typeof fieldValue === 'string') residentIds.add(fieldValue);
      if (entry.residentAge && typeof fieldValue === 'number' && fieldValue < MINOR_AGE) categories.add('minors');
      // A column page (列式分页) concerns every resident in its ids, and minors when any age is under 14.
      if (entry.columnIds && Array.isArray(fieldValue)) columnLists.push(fieldValue);
      if (entry.columnAges && Array.isArray(fieldValue) && fieldValue.some((age) => typeof age === 'number' && age < MINOR_AGE)) categories.add('minors');
      if (entry.category) categories.add(entry.category);
      if (entry.children) walk(entry.children, fieldValue);
    }
  }
  walk(observerOf(schema, document, hash), data);
  return { categories: [...categories].sort(), residentIds: residentIdsOf(residentIds, columnLists) };
}

/**
 * The residents an answer concerns, once each: with a column page among them, sorted as the trail stores them (its
 * writer then need not sort them again) when all are hub ids, else in the order read.
 */
function residentIdsOf(ids: Set<string>, columnLists: unknown[][]): string[] {
  if (columnLists.length === 0) return [...ids];
  const all: unknown[] = columnLists.length === 1 && ids.size === 0 ? columnLists[0]! : [...ids, ...columnLists.flat()];
  // Handed to the writer as it is: it knows the list (checked, sorted, once each) and takes it without a second pass.
  const distinct = distinctHubIds(all);
  if (distinct !== null) return distinct;
  for (const list of columnLists) for (const id of list) if (typeof id === 'string') ids.add(id);
  return [...ids];
}

/**
 * The sha256 the trail keeps of an operation's text (what the writer computes from `document`), worked out once per
 * distinct text: a district's clients send the same few documents over and over.
 */
const documentHashes = new Map<string, string>();
const MAX_DOCUMENT_HASHES = 1_000;
function documentHashOf(text: string | null): string | null {
  if (text === null) return null;
  let hash = documentHashes.get(text);
  if (hash === undefined) {
    hash = createHash('sha256').update(text, 'utf8').digest('hex');
    if (documentHashes.size >= MAX_DOCUMENT_HASHES) documentHashes.delete(documentHashes.keys().next().value!);
    documentHashes.set(text, hash);
  }
  return hash;
}

/**
 * Records every operation in the audit trail before its answer leaves: who (caller, role, department, purpose),
 * what (operation name and hash, redacted variables), the sensitive categories and residents the answer holds, and
 * the outcome. If the record cannot be written the answer is withheld: no sensitive read goes unrecorded.
 */
export function createAuditPlugin<TContext extends { caller: Caller }>(options: AuditOptions<TContext>): ApolloServerPlugin<TContext> {
  const answered = auditAnswers(options);
  return {
    async requestDidStart() {
      return {
        async willSendResponse(requestContext) {
          await answered(requestContext);
        },
      };
    },
  };
}

export interface AuditOptions<TContext> {
  supergraphSdl: string;
  sink: AuditSink;
  /**
   * Requests this plugin does not record: a rate-limit refusal of a run the trail already holds (one record per key and
   * minute), a subscription's feed reads (recorded at its start and end).
   */
  skip?: (context: TContext) => boolean;
}

/** What the audit reads of a request about to be answered: Apollo's request context, or the prepared path's own. */
export interface AnsweredRequest<TContext> {
  contextValue: TContext;
  response: { http: { status?: number | undefined }; body: { kind: 'single'; singleResult: { data?: unknown; errors?: readonly { extensions?: Record<string, unknown> }[] } } | { kind: string } };
  document?: DocumentNode | undefined;
  queryHash?: string | undefined;
  source?: string | undefined;
  operationName?: string | null | undefined;
  operation?: { operation: string } | undefined;
  request: { variables?: Record<string, unknown> | undefined };
}

/**
 * The audit plugin's work at `willSendResponse`, shared with the gateway's prepared path (`execution/prepared-requests.ts`),
 * which answers without Apollo's hooks and must record exactly what Apollo's path records.
 */
export function auditAnswers<TContext extends { caller: Caller }>(options: AuditOptions<TContext>) {
  const schema = buildSchema(options.supergraphSdl, { assumeValidSDL: true, noLocation: true });
  return async (requestContext: AnsweredRequest<TContext>): Promise<void> => {
    const body = requestContext.response.body;
    if (body.kind !== 'single' || options.skip?.(requestContext.contextValue)) return;
    const single = body as { kind: 'single'; singleResult: { data?: unknown; errors?: readonly { extensions?: Record<string, unknown> }[] } };
    const { caller } = requestContext.contextValue;
    const result = single.singleResult;
    const errorCodes = [...new Set((result.errors ?? []).map((e) => String(e.extensions?.code ?? 'INTERNAL_SERVER_ERROR')))];
    const hasData = result.data != null && Object.values(result.data as object).some((v) => v !== null);
    const outcome = !result.errors?.length ? 'SUCCESS' : !hasData ? (errorCodes.every((c) => c === 'FORBIDDEN') ? 'DENIED' : 'ERROR') : 'PARTIAL';
    const observed = requestContext.document ? observeAnswer(schema, requestContext.document, result.data as Json, requestContext.queryHash) : { categories: [], residentIds: [] };
    const record: AuditRecordInput = {
      userId: caller.userId,
      role: caller.role,
      department: caller.department,
      purpose: caller.purpose,
      eventType: requestContext.operation?.operation === 'mutation' ? 'WRITE' : 'OPERATION',
      operationName: requestContext.operationName ?? null,
      operationHash: documentHashOf(requestContext.source ?? (requestContext.document ? print(requestContext.document) : null)),
      variables: requestContext.request.variables ?? null,
      categories: observed.categories,
      residentIds: observed.residentIds,
      outcome,
      errorCodes,
    };
    try {
      await options.sink.write(record);
    } catch {
      (single as { singleResult: unknown }).singleResult = {
        errors: [{ message: 'The audit trail could not record this request, so its answer is withheld', extensions: { code: 'AUDIT_UNAVAILABLE' } }],
      };
      requestContext.response.http.status = 503;
    }
  };
}

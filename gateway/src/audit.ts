import type { ApolloServerPlugin } from '@apollo/server';
import type { AuditRecordInput } from '@hub/audit-trail';
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
  'Resident.registeredAddress': 'address',
  'Resident.residence': 'address',
  'House.address': 'address',
  'Building.address': 'address',
};
const MINOR_AGE = 14;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** The sensitive categories an answer holds and the residents it concerns, read from the answer itself. */
export function observeAnswer(schema: GraphQLSchema, document: DocumentNode, data: Json | undefined): { categories: string[]; residentIds: string[] } {
  const categories = new Set<string>();
  const residentIds = new Set<string>();
  const operation = document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
  const fragments = new Map(document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])));
  if (!operation || operation.kind !== Kind.OPERATION_DEFINITION) return { categories: [], residentIds: [] };
  const root = schema.getRootType(operation.operation);

  function walk(selectionSet: SelectionSetNode, type: GraphQLCompositeType, value: Json | undefined): void {
    if (value === null || value === undefined) return;
    if (Array.isArray(value)) return value.forEach((item) => walk(selectionSet, type, item));
    if (typeof value !== 'object') return;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT || selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = selection.kind === Kind.INLINE_FRAGMENT ? selection : fragments.get(selection.name.value);
        if (!fragment) continue;
        const condition = fragment.typeCondition ? schema.getType(fragment.typeCondition.name.value) : type;
        walk(fragment.selectionSet, condition && isCompositeType(condition) ? condition : type, value);
        continue;
      }
      const key = selection.alias?.value ?? selection.name.value;
      const fieldValue = value[key];
      if (fieldValue === undefined || fieldValue === null) continue;
      if (type.name === 'Resident') {
        if (selection.name.value === 'id' && typeof fieldValue === 'string') residentIds.add(fieldValue);
        if (selection.name.value === 'age' && typeof fieldValue === 'number' && fieldValue < MINOR_AGE) categories.add('minors');
      }
      // A column page (列式分页) concerns every resident in its ids, and minors when any age is under 14.
      if (type.name === 'ResidentColumns' && Array.isArray(fieldValue)) {
        if (selection.name.value === 'ids') for (const id of fieldValue) if (typeof id === 'string') residentIds.add(id);
        if (selection.name.value === 'ages' && fieldValue.some((age) => typeof age === 'number' && age < MINOR_AGE)) categories.add('minors');
      }
      const category = CATEGORY_OF_FIELD[`${type.name}.${selection.name.value}`];
      if (category) categories.add(category);
      if (!selection.selectionSet || (!isObjectType(type) && !isInterfaceType(type))) continue;
      const field = type.getFields()[selection.name.value];
      const child = field && getNamedType(field.type);
      if (child && isCompositeType(child)) walk(selection.selectionSet, child, fieldValue);
    }
  }
  if (root) walk(operation.selectionSet, root, data);
  return { categories: [...categories].sort(), residentIds: [...residentIds] };
}

/**
 * Records every operation in the audit trail before its answer leaves: who (caller, role, department, purpose),
 * what (operation name and hash, redacted variables), the sensitive categories and residents the answer holds, and
 * the outcome. If the record cannot be written the answer is withheld: no sensitive read goes unrecorded.
 */
export function createAuditPlugin<TContext extends { caller: Caller }>(options: {
  supergraphSdl: string;
  sink: AuditSink;
  /**
   * Requests this plugin does not record: a rate-limit refusal of a run the trail already holds (one record per key and
   * minute), a subscription's feed reads (recorded at its start and end).
   */
  skip?: (context: TContext) => boolean;
}): ApolloServerPlugin<TContext> {
  const schema = buildSchema(options.supergraphSdl, { assumeValidSDL: true });
  return {
    async requestDidStart() {
      return {
        async willSendResponse(requestContext) {
          const body = requestContext.response.body;
          if (body.kind !== 'single' || options.skip?.(requestContext.contextValue)) return;
          const { caller } = requestContext.contextValue;
          const result = body.singleResult;
          const errorCodes = [...new Set((result.errors ?? []).map((e) => String(e.extensions?.code ?? 'INTERNAL_SERVER_ERROR')))];
          const hasData = result.data != null && Object.values(result.data).some((v) => v !== null);
          const outcome = !result.errors?.length ? 'SUCCESS' : !hasData ? (errorCodes.every((c) => c === 'FORBIDDEN') ? 'DENIED' : 'ERROR') : 'PARTIAL';
          const observed = requestContext.document ? observeAnswer(schema, requestContext.document, result.data as Json) : { categories: [], residentIds: [] };
          const record: AuditRecordInput = {
            userId: caller.userId,
            role: caller.role,
            department: caller.department,
            purpose: caller.purpose,
            eventType: requestContext.operation?.operation === 'mutation' ? 'WRITE' : 'OPERATION',
            operationName: requestContext.operationName ?? null,
            document: requestContext.source ?? (requestContext.document ? print(requestContext.document) : null),
            variables: requestContext.request.variables ?? null,
            categories: observed.categories,
            residentIds: observed.residentIds,
            outcome,
            errorCodes,
          };
          try {
            await options.sink.write(record);
          } catch {
            body.singleResult = {
              errors: [{ message: 'The audit trail could not record this request, so its answer is withheld', extensions: { code: 'AUDIT_UNAVAILABLE' } }],
            };
            requestContext.response.http.status = 503;
          }
        },
      };
    },
  };
}

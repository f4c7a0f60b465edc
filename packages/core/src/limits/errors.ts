import { GraphQLError } from 'graphql';

/** The stable `extensions.code` of each refusal of the hardened edge; clients branch on these. */
export const LimitCode = {
  QUERY_TOO_DEEP: 'QUERY_TOO_DEEP',
  TOO_MANY_ALIASES: 'TOO_MANY_ALIASES',
  TOO_MANY_ROOT_FIELDS: 'TOO_MANY_ROOT_FIELDS',
  TOO_MANY_TOKENS: 'TOO_MANY_TOKENS',
  QUERY_TOO_COSTLY: 'QUERY_TOO_COSTLY',
  REQUEST_TIMEOUT: 'REQUEST_TIMEOUT',
  REQUEST_TOO_LARGE: 'REQUEST_TOO_LARGE',
} as const;
export type LimitCode = (typeof LimitCode)[keyof typeof LimitCode];

/**
 * A refused operation: `extensions` name the limit (`limit`, the HUB_* variable that sets it), its `maximum` and the
 * `measured` value; `extensions.http` makes Apollo Server answer HTTP 400 (it strips `http` from the response).
 */
export function limitError(code: LimitCode, message: string, limit: string, maximum: number, measured: number, status = 400): GraphQLError {
  return new GraphQLError(message, { extensions: { code, limit, maximum, measured, http: { status } } });
}


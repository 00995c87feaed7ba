/**
 * The executable schema: the SDL in schema/ (the contract) with the resolvers, and every root
 * field guarded by the rule table in src/auth/rules.ts. Built once at boot.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { defaultFieldResolver, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import { allowedRoles, type RootType } from '../auth/rules.js';
import { requireCaller, type GatewayContext } from '../context.js';
import { GatewayError } from '../domain/errors.js';
import { mutationResolvers } from '../resolvers/mutation.js';
import { queryResolvers } from '../resolvers/query.js';
import { typeResolvers } from '../resolvers/types.js';
import { DateTime, Decimal } from './scalars.js';

export const SCHEMA_DIR = fileURLToPath(new URL('../../schema/', import.meta.url));

/** The SDL of schema/, files in name order. */
export const loadTypeDefs = (): string[] =>
  readdirSync(SCHEMA_DIR)
    .filter((file) => file.endsWith('.graphql'))
    .sort()
    .map((file) => readFileSync(join(SCHEMA_DIR, file), 'utf8'));

type AnyResolver = GraphQLFieldResolver<unknown, GatewayContext, Record<string, unknown>>;

/** Wraps a root field: UNAUTHENTICATED without a caller, FORBIDDEN for a role the table does not list. */
function guard(type: RootType, field: string, resolve: AnyResolver): AnyResolver {
  const roles = allowedRoles(type, field);
  if (!roles) throw new Error(`${type}.${field} has no row in OPERATION_RULES`);
  return (parent, args, context, info) => {
    const caller = requireCaller(context);
    if (!roles.includes(caller.role)) {
      throw new GatewayError('FORBIDDEN', `The ${caller.role} role may not run ${field}`, { retryable: false });
    }
    return resolve(parent, args, context, info);
  };
}

function guardRoots(resolvers: Record<string, Record<string, unknown>>): void {
  for (const type of ['Query', 'Mutation'] as const) {
    const fields = resolvers[type] as Record<string, AnyResolver>;
    for (const [field, resolve] of Object.entries(fields)) fields[field] = guard(type, field, resolve ?? defaultFieldResolver);
  }
}

export function createSchema(): GraphQLSchema {
  const resolvers = {
    Decimal,
    DateTime,
    ...typeResolvers,
    ...queryResolvers,
    ...mutationResolvers,
  } as unknown as Record<string, Record<string, unknown>>;
  guardRoots(resolvers);
  return makeExecutableSchema({
    typeDefs: loadTypeDefs(),
    resolvers,
    resolverValidationOptions: { requireResolversToMatchSchema: 'error' },
  });
}

/**
 * Custom scalars. Both travel as strings; Decimal is checked to be an exact decimal so that a
 * float can never sneak in as an amount.
 */
import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

const DECIMAL = /^-?\d{1,30}(\.\d{1,18})?$/;

const parseDecimal = (value: unknown): string => {
  if (typeof value === 'string' && DECIMAL.test(value)) return value;
  throw new GraphQLError(`Decimal must be a string such as "12.50", received ${JSON.stringify(value)}`, {
    extensions: { code: 'BAD_USER_INPUT' },
  });
};

export const Decimal = new GraphQLScalarType({
  name: 'Decimal',
  description: 'An exact decimal number carried as a string, e.g. "12.50".',
  serialize: (value) => String(value),
  parseValue: parseDecimal,
  parseLiteral: (ast) => parseDecimal(ast.kind === Kind.STRING ? ast.value : undefined),
});

export const DateTime = new GraphQLScalarType({
  name: 'DateTime',
  description: 'An ISO-8601 date-time with a time zone.',
  serialize: (value) => (value instanceof Date ? value.toISOString() : String(value)),
  parseValue: (value) => {
    if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return value;
    throw new GraphQLError('DateTime must be an ISO-8601 string', { extensions: { code: 'BAD_USER_INPUT' } });
  },
});

/**
 * GraphQL abuse limits: depth, aliases, directives and cost from graphql-armor (validation rules,
 * counted through fragments and inline fragments), tokens from graphql-js's own parser limit.
 *
 * Why not armor's token limit: under Apollo Server it throws from a plugin hook, which Apollo
 * answers with HTTP 500, and it re-labels every unexpected error as a validation failure
 * (graphql-armor#751). graphql-js's `maxTokens` parse option is a plain syntax error (HTTP 400).
 *
 * In production no error names a limit value or where it was crossed (`hideLimits`).
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { GraphQLFormattedError, ParseOptions, ValidationRule } from 'graphql';

export interface LimitSettings {
  depth: number;
  aliases: number;
  tokens: number;
  directives: number;
  cost: number;
}

export interface Limits<TContext extends object> {
  validationRules: ValidationRule[];
  plugins: ApolloServerPlugin<TContext>[];
  parseOptions: ParseOptions;
}

/** The message every limit error carries when limit values are hidden (armor's own wording). */
export const HIDDEN_LIMIT_MESSAGE = 'Syntax Error: Query validation error.';

/** graphql-js's token-limit syntax error (it spells it "more that"). */
const TOKEN_LIMIT = /^Syntax Error: Document contains more tha[nt] \d+ tokens/;

export interface LimitOptions {
  /** No limit value in error text (production). */
  hideLimits: boolean;
  /** No "Did you mean ...?" in validation errors (production). */
  blockFieldSuggestions: boolean;
}

export function createLimits<TContext extends object>(settings: LimitSettings, options: LimitOptions): Limits<TContext> {
  const exposeLimits = !options.hideLimits;
  const armor = new ApolloArmor({
    maxDepth: { n: settings.depth, flattenFragments: true, exposeLimits },
    maxAliases: { n: settings.aliases, exposeLimits },
    maxTokens: { enabled: false },
    maxDirectives: { n: settings.directives, exposeLimits },
    costLimit: { maxCost: settings.cost, flattenFragments: true, exposeLimits },
    blockFieldSuggestion: { enabled: options.blockFieldSuggestions },
  }).protect();
  return {
    validationRules: armor.validationRules,
    // graphql-armor's typings resolve Apollo's CommonJS declarations; the plugins are the same at run time.
    plugins: armor.plugins as unknown as ApolloServerPlugin<TContext>[],
    parseOptions: { maxTokens: settings.tokens },
  };
}

/** A token-limit error with its value and position removed, when limits are hidden; else unchanged. */
export function maskLimitError(formatted: GraphQLFormattedError, hideLimits: boolean): GraphQLFormattedError {
  if (!hideLimits || !TOKEN_LIMIT.test(formatted.message)) return formatted;
  const { locations: _locations, ...rest } = formatted;
  return { ...rest, message: HIDDEN_LIMIT_MESSAGE };
}

/**
 * The SDL as partners read it in Apollo Sandbox: every type, field, argument, enum value and input
 * field is described, and each root field's "Roles: ..." sentence names exactly the roles the
 * rule table (src/auth/rules.ts) lets run it.
 */
import {
  buildSchema,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isSpecifiedScalarType,
  type GraphQLNamedType,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { OPERATION_RULES } from '../../src/auth/rules.js';
import { loadTypeDefs } from '../../src/graphql/schema.js';

/** The SDL of schema/ exactly as the gateway loads it (built here, so the predicates share this graphql instance). */
const schema = buildSchema(loadTypeDefs().join('\n'));

/** Every schema element's coordinate (`Type`, `Type.field`, `Type.field(arg:)`, `Enum.VALUE`) with its description. */
function elements(type: GraphQLNamedType): [string, string | null | undefined][] {
  const own: [string, string | null | undefined][] = [[type.name, type.description]];
  if (isObjectType(type) || isInterfaceType(type)) {
    for (const field of Object.values(type.getFields())) {
      own.push([`${type.name}.${field.name}`, field.description]);
      for (const arg of field.args) own.push([`${type.name}.${field.name}(${arg.name}:)`, arg.description]);
    }
  }
  if (isInputObjectType(type)) {
    for (const field of Object.values(type.getFields())) own.push([`${type.name}.${field.name}`, field.description]);
  }
  if (isEnumType(type)) {
    for (const value of type.getValues()) own.push([`${type.name}.${value.name}`, value.description]);
  }
  return own;
}

const ownTypes = Object.values(schema.getTypeMap()).filter((type) => !type.name.startsWith('__') && !isSpecifiedScalarType(type));
const ALL_ELEMENTS = ownTypes.flatMap(elements);

/** The roles a description's last "Roles:" sentence names, in backticks. */
const rolesIn = (description: string | null | undefined): string[] => {
  const tail = description?.split('Roles:').at(-1);
  if (!description?.includes('Roles:') || tail === undefined) return [];
  return [...tail.matchAll(/`(user|business|admin)`/g)].map((m) => m[1]!).sort();
};

describe('the SDL describes itself', () => {
  it('walks a schema of real size (guards the walk itself)', () => {
    expect(ownTypes.length).toBeGreaterThan(40);
    expect(ALL_ELEMENTS.length).toBeGreaterThan(300);
    expect(ALL_ELEMENTS.map(([coordinate]) => coordinate)).toEqual(expect.arrayContaining([
      'Reward.rewardStatus', 'Query.redemptions(ids:)', 'RewardStatus.PENDING_REVIEW', 'MomentRedeemInput.expectedVersion', 'Decimal',
    ]));
  });

  it('has a non-empty description on every type, field, argument, enum value and input field', () => {
    const undescribed = ALL_ELEMENTS.filter(([, description]) => !description?.trim()).map(([coordinate]) => coordinate);
    expect(undescribed).toEqual([]);
  });

  it.each(['Query', 'Mutation'] as const)('states on every %s field the roles OPERATION_RULES allows', (root) => {
    const type = root === 'Query' ? schema.getQueryType()! : schema.getMutationType()!;
    const fields = type.getFields();
    expect(Object.keys(fields).sort()).toEqual(Object.keys(OPERATION_RULES[root]).sort());
    const stated = Object.fromEntries(Object.values(fields).map((field) => [field.name, rolesIn(field.description)]));
    const allowed = Object.fromEntries(Object.entries(OPERATION_RULES[root]).map(([field, roles]) => [field, [...roles].sort()]));
    expect(stated).toEqual(allowed);
  });

  it('reads the roles of the last "Roles:" sentence only', () => {
    expect(rolesIn('As a `business` (role `admin` too). Roles: `user` (for themselves), `admin`.')).toEqual(['admin', 'user']);
    expect(rolesIn('No roles sentence, though `admin` is named.')).toEqual([]);
  });
});

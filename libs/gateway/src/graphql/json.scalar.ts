import { GraphQLScalarType, Kind, type ValueNode } from 'graphql';

/** Arbitrary JSON, for audit event payloads whose shape depends on the event type. */
export const JsonScalar = new GraphQLScalarType({
  name: 'JSON',
  serialize: (value: unknown) => value,
  parseValue: (value: unknown) => value,
  parseLiteral: function parse(node: ValueNode): unknown {
    switch (node.kind) {
      case Kind.STRING:
      case Kind.BOOLEAN:
        return node.value;
      case Kind.INT:
      case Kind.FLOAT:
        return Number(node.value);
      case Kind.LIST:
        return node.values.map(parse);
      case Kind.OBJECT:
        return Object.fromEntries(node.fields.map((f) => [f.name.value, parse(f.value)]));
      case Kind.NULL:
        return null;
      case Kind.VARIABLE:
      case Kind.ENUM:
        return undefined;
    }
  },
});

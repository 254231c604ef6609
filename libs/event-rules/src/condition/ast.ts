/** A parsed condition: one node per labelled alternative of EventRule.g4's `expression`. */
export type Condition =
  | {
      readonly kind: 'andOr';
      readonly op: 'and' | 'or';
      readonly left: Condition;
      readonly right: Condition;
    }
  | { readonly kind: 'not'; readonly operand: Condition }
  | {
      readonly kind: 'compare';
      readonly path: string;
      readonly op: CompareOp;
      readonly value: { readonly type: 'string' | 'number'; readonly text: string };
    }
  | {
      readonly kind: 'boolCompare';
      readonly path: string;
      readonly op: '=' | '!=';
      readonly value: boolean;
    }
  | {
      readonly kind: 'contains';
      readonly path: string;
      readonly negated: boolean;
      readonly value: string;
    }
  | {
      readonly kind: 'in';
      readonly path: string;
      readonly negated: boolean;
      readonly values: readonly string[];
    }
  | {
      readonly kind: 'match';
      readonly path: string;
      readonly op: MatchOp;
      readonly pattern: string;
    }
  | { readonly kind: 'exists'; readonly path: string; readonly negated: boolean }
  | { readonly kind: 'variable'; readonly path: string; readonly negated: boolean };

/** The comparison operators (`==` is read as `=`). */
export type CompareOp = '=' | '!=' | '>' | '<' | '>=' | '<=';

/** The pattern operators; `like` globs become Go regexps as the engine rewrites them. */
export type MatchOp = 'regex' | 'not regex' | 'like' | 'not like';

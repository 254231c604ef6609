/** What went wrong with a rule, as a closed set the API can map to its own answers. */
export type EventRuleErrorCode = 'syntax' | 'evaluation' | 'expansion';

/** Base of every error this library throws. */
export class EventRuleError extends Error {
  constructor(
    readonly code: EventRuleErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Where in a condition's text a problem is: 0-based offset, 1-based line, 0-based column (ANTLR's). */
export interface TextPosition {
  readonly offset: number;
  readonly line: number;
  readonly column: number;
}

/** A condition the grammar does not accept; the message starts with `line:column`. */
export class ConditionSyntaxError extends EventRuleError {
  constructor(
    readonly reason: string,
    readonly position: TextPosition,
    readonly condition: string,
  ) {
    super('syntax', `${position.line}:${position.column}: ${reason}`);
  }
}

/** A condition that fails on a given event (what the Go engine panics on: a non-number compared as a number, ...). */
export class ConditionEvaluationError extends EventRuleError {
  constructor(message: string) {
    super('evaluation', message);
  }
}

/** A `${name}` reference that does not resolve, a cycle between macros, or an expansion that does not parse. */
export class RuleExpansionError extends EventRuleError {
  constructor(
    readonly rule: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super('expansion', `rule ${rule}: ${reason}`, options);
  }
}

/** The position of `offset` in `text`. */
export function positionAt(text: string, offset: number): TextPosition {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      lineStart = i + 1;
    }
  }
  return { offset, line, column: offset - lineStart };
}

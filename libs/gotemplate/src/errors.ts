/** Machine-readable reasons the template engine refuses a template. */
export type GoTemplateErrorCode = 'template_parse_failed' | 'template_exec_failed';

/** Base class of every error the template engine raises, carrying a closed-union `code`. */
export abstract class GoTemplateError extends Error {
  abstract readonly code: GoTemplateErrorCode;
}

/** A Go text/template did not parse; the message is Go's (`template: name:line: ...`). */
export class TemplateParseError extends GoTemplateError {
  readonly code = 'template_parse_failed' as const;
  constructor(message: string) {
    super(message);
    this.name = 'TemplateParseError';
  }
}

/** A Go text/template failed while executing; the message is Go's (`template: name:line:col: executing ...`). */
export class TemplateExecError extends GoTemplateError {
  readonly code = 'template_exec_failed' as const;
  constructor(message: string) {
    super(message);
    this.name = 'TemplateExecError';
  }
}

/** One reason a pipeline is refused, with the path of the offending part (`transforms.x.pattern`). */
export interface PipelineProblem {
  path: string;
  message: string;
}

/** A pipeline that cannot run: cycles, unknown inputs, patterns or conditions that do not compile. */
export class PipelineValidationError extends Error {
  constructor(readonly problems: PipelineProblem[]) {
    super(
      problems.length === 0
        ? 'invalid pipeline'
        : `${problems[0].path}: ${problems[0].message}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}`,
    );
    this.name = 'PipelineValidationError';
  }
}

/**
 * A valid DAG that a backend cannot compile within its platform's limits (unbounded polling,
 * a definition over 1 MB, ...). The CLI reports it against the file (exit 1); other errors are bugs.
 */
export class CompileRefusal extends Error {
  override name = 'CompileRefusal';
}

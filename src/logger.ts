/** What the operations need to report progress. main.ts backs it with @actions/core. */
export interface Logger {
  info(message: string): void
  warning(message: string): void
  debug(message: string): void
  /** Folds the lines that follow into a collapsible group in the workflow log, until endGroup. */
  startGroup?(title: string): void
  endGroup?(): void
}

/** Thrown when a solver's search runs past its deadline (`solve`'s per-line time budget). */
export class SearchBudgetError extends Error {
  override readonly name = 'SearchBudgetError';
}

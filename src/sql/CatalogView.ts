import type { Manifest } from '../storage/manifest.ts';

/**
 * What the binder sees of the catalog: committed datasets by name. A table name resolves
 * case-insensitively; unknown names get a "did you mean" suggestion.
 */
export interface CatalogView {
  /** Every queryable dataset (committed), by its SQL name. */
  tables(): Manifest[];
}

import { ModelRegistry } from './ModelRegistry.js';
import type { GateInput, ModelStore, RegistryProblem } from './ModelStore.js';
import { PostgresModelRegistry } from './PostgresModelRegistry.js';
import type { Stage } from './stages.js';

export interface OpenModelStoreOptions {
  /** Registry-level gates per target stage, on top of each model's stored gates. Default `{}`. */
  gates?: Readonly<Partial<Record<Stage, readonly GateInput[]>>>;
  /** Called for each unreadable entry that listing skips. Default: a process warning. */
  onProblem?: (problem: RegistryProblem) => void;
}

const POSTGRES_URL = /^postgres(ql)?:\/\//;

/**
 * Whether a registry location is a PostgreSQL URL (`postgres://…` or `postgresql://…`), which
 * {@link openModelStore} opens as a {@link PostgresModelRegistry}; anything else is a folder.
 */
export function isPostgresLocation(location: string): boolean {
  return POSTGRES_URL.test(location);
}

/**
 * Opens the model store at `location`: a `postgres://` or `postgresql://` URL opens a
 * {@link PostgresModelRegistry} (the query parameters `schema` and `tablePrefix` choose its
 * tables; defaults `public` and `candlelab_`), anything else is the folder of a file
 * {@link ModelRegistry}. Lets a command take `--registry models/` or `--registry postgres://…` alike.
 */
export async function openModelStore(location: string, options: OpenModelStoreOptions = {}): Promise<ModelStore> {
  const common = {
    ...(options.gates ? { gates: options.gates } : {}),
    ...(options.onProblem ? { onProblem: options.onProblem } : {}),
  };
  if (!isPostgresLocation(location)) return new ModelRegistry({ root: location, ...common }).asStore();
  const url = new URL(location);
  const schema = url.searchParams.get('schema');
  const tablePrefix = url.searchParams.get('tablePrefix');
  url.searchParams.delete('schema');
  url.searchParams.delete('tablePrefix');
  return PostgresModelRegistry.open({
    connectionString: url.toString(),
    ...(schema !== null ? { schema } : {}),
    ...(tablePrefix !== null ? { tablePrefix } : {}),
    ...common,
  });
}

/** A value of a record table's cell: a number (stored as a double), a string, a boolean or NULL. */
export type RecordValue = string | number | boolean | null;

/**
 * A row to write: column name → value. A property that is missing or `undefined` is NULL, and so is
 * `NaN`. Interfaces with such properties qualify (the constraint is structural).
 */
export type RecordRowInput<Row> = { readonly [Column in keyof Row]: RecordValue | undefined };

/** A row read back: every column of the table, NULL as `null`. */
export type RecordRow = Record<string, RecordValue>;

/**
 * The SQL type of a record column: `'double'` (DuckDB `DOUBLE`, PostgreSQL `DOUBLE PRECISION`) for
 * numbers, `'text'` (`VARCHAR` / `TEXT`) for strings, `'boolean'` (`BOOLEAN`).
 */
export type RecordColumnType = 'double' | 'text' | 'boolean';

export interface WriteRecordsOptions<Column extends string = string> {
  /**
   * The key columns (at least one): a row whose key is already in the table updates that row, so
   * writing the same rows again changes nothing. Every row must have a non-null, non-NaN value in
   * each. Must equal the table's primary key once the table exists. Required.
   */
  key: readonly Column[];
  /**
   * Column types, for columns the rows cannot tell (a new column that is NULL in every row of the
   * write). Other columns take the type of their first non-null value. Default `{}`.
   */
  columns?: Readonly<Partial<Record<Column, RecordColumnType>>>;
}

export interface WriteRecordsResult {
  /** Rows whose key was not in the table. */
  inserted: number;
  /** Rows whose key was in the table with at least one different value in the written columns. */
  updated: number;
}

/** Equality filter for {@link RecordStore.readRecords}: column → value, all must match. */
export type RecordFilter = Readonly<Record<string, string | number | boolean>>;

/**
 * Small analytical tables kept beside the candles, in the same database (DuckDB file, PostgreSQL
 * schema or memory), so they can be queried with plain SQL: a model's shadow-trading pattern
 * library, trade memory and loss analysis, a server's predictions log.
 *
 * A table is created by its first write, with the rows' columns (typed by
 * {@link RecordColumnType}) and the `key` columns as primary key; columns that appear in later
 * writes are added (nullable). Writes are upserts by key in one transaction: on a key already
 * present, the columns named by this write (the union of its rows' properties) are overwritten and
 * the table's other columns keep their values. Table and column names are lower-case SQL
 * identifiers (`/^[a-z_][a-z0-9_]{0,62}$/`, so plain SQL needs no quotes), values are always bound
 * as parameters. Problems with the rows are a `ValidationError` naming the table, row and column,
 * and nothing of that write is kept.
 */
export interface RecordStore {
  /** Upserts `rows` into `table` by `options.key`, creating the table or adding columns when needed. */
  writeRecords<Row extends RecordRowInput<Row>>(
    table: string,
    rows: readonly Row[],
    options: WriteRecordsOptions<keyof Row & string>,
  ): Promise<WriteRecordsResult>;
  /**
   * Rows of `table` matching every `where` column (default: all rows), sorted by the key columns
   * (strings in binary order); `[]` when the table does not exist.
   */
  readRecords(table: string, where?: RecordFilter): Promise<RecordRow[]>;
}

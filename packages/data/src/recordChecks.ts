import { InvalidParameterError, StoreError, ValidationError, type ValidationIssue } from '@candlelab/core';
import type { RecordColumnType, RecordFilter, RecordValue, WriteRecordsOptions } from './RecordStore.js';

/** Record table and column names: lower-case SQL identifiers, so plain SQL needs no quotes in DuckDB or PostgreSQL. */
const RECORD_IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;
const IDENTIFIER_RULE = 'expected a lower-case SQL identifier: a-z, 0-9 and _, not starting with a digit, at most 63';
const COLUMN_TYPES: readonly RecordColumnType[] = ['double', 'text', 'boolean'];
/** Issues collected before a write is refused (the error says when there were more). */
const MAX_ISSUES = 100;

/** A column of a prepared write: its name and type (`undefined` when NULL in every row and not declared). */
export interface PreparedColumn {
  name: string;
  type: RecordColumnType | undefined;
  /** Row whose value fixed the type (for error messages); `undefined` when declared or unknown. */
  typedBy: number | undefined;
}

/** A write checked before any SQL runs: names valid, values typed consistently, keys present and unique. */
export interface PreparedRecords {
  table: string;
  key: readonly string[];
  /** Key columns first, then the other columns in order of first appearance. */
  columns: readonly PreparedColumn[];
  /** One array per row, aligned with `columns`; NaN and missing values are `null`. */
  rows: readonly RecordValue[][];
}

/** A column of an existing table: its SQL type as the database names it and the record type it maps to. */
export interface StoredColumn {
  sqlType: string;
  type: RecordColumnType | undefined;
}

/** An existing table as the store sees it: columns by name and primary-key columns. */
export interface TableSchema {
  columns: ReadonlyMap<string, StoredColumn>;
  key: readonly string[];
}

/** The record table name checked against injection and case folding; returns it unchanged. */
export function checkRecordTable(table: unknown): string {
  if (typeof table !== 'string' || !RECORD_IDENTIFIER.test(table)) {
    throw new InvalidParameterError('table', table, `${IDENTIFIER_RULE} characters`);
  }
  return table;
}

/** `name` (already checked) quoted for SQL. */
export function quoteIdentifier(name: string): string {
  return `"${name}"`;
}

/**
 * Checks a {@link RecordStore.writeRecords} call without touching a database: table and column
 * names, the key option, every value's type, each column's type agreeing across rows (and with
 * `options.columns`), every key present, no key twice. Throws a `ValidationError` listing the rows
 * and columns at fault, or an `InvalidParameterError` for a bad table name or option.
 */
export function prepareRecords(
  table: string,
  rows: readonly object[],
  options: WriteRecordsOptions<string>,
): PreparedRecords {
  checkRecordTable(table);
  if (!Array.isArray(rows)) throw new InvalidParameterError('rows', rows, 'expected an array of row objects');
  const key = checkKeyOption(options?.key);
  const declared = checkDeclaredColumns(options.columns);
  const issues: ValidationIssue[] = [];
  const report = (issue: ValidationIssue) => {
    if (issues.length <= MAX_ISSUES) issues.push(issue);
  };
  const columns: PreparedColumn[] = key.map((name) => ({ name, type: declared.get(name), typedBy: undefined }));
  const index = new Map(key.map((name, i) => [name, i]));
  const values: RecordValue[][] = [];
  const keyRows = new Map<string, number>();
  rows.forEach((row, r) => {
    if (typeof row !== 'object' || row === null || Array.isArray(row)) {
      report({ row: r, reason: 'expected an object of column → value' });
      values.push([]);
      return;
    }
    const out: RecordValue[] = new Array(columns.length).fill(null);
    for (const [name, raw] of Object.entries(row)) {
      if (raw === undefined) continue;
      if (!RECORD_IDENTIFIER.test(name)) {
        report({ row: r, field: name, reason: `column name: ${IDENTIFIER_RULE} characters` });
        continue;
      }
      const value = checkValue(raw);
      if ('reason' in value) {
        report({ row: r, field: name, reason: value.reason });
        continue;
      }
      let c = index.get(name);
      if (c === undefined) {
        c = columns.length;
        index.set(name, c);
        columns.push({ name, type: declared.get(name), typedBy: undefined });
        out.push(null);
      }
      const column = columns[c]!;
      const type = typeOf(value.ok);
      if (type !== undefined) {
        if (column.type === undefined) {
          column.type = type;
          column.typedBy = r;
        } else if (column.type !== type) {
          const origin = column.typedBy === undefined ? 'options.columns' : `row ${column.typedBy}`;
          report({ row: r, field: name, reason: `a ${type} value, but the column is ${column.type} (from ${origin})` });
        }
      }
      out[c] = value.ok;
    }
    let keyComplete = true;
    for (let k = 0; k < key.length; k++) {
      if (out[k] === null) {
        keyComplete = false;
        report({ row: r, field: key[k], reason: 'key column is missing (undefined, null or NaN)' });
      }
    }
    if (keyComplete) {
      const id = JSON.stringify(out.slice(0, key.length));
      const first = keyRows.get(id);
      if (first !== undefined) report({ row: r, reason: `same key as row ${first} (${id})` });
      else keyRows.set(id, r);
    }
    values.push(out);
  });
  if (issues.length > 0) {
    throw new ValidationError(`writeRecords to table '${table}'`, issues.slice(0, MAX_ISSUES), {
      truncated: issues.length > MAX_ISSUES,
    });
  }
  // Rows written before a later row added a column are padded to the full width.
  for (const row of values) while (row.length < columns.length) row.push(null);
  return { table, key, columns, rows: values };
}

/**
 * What a prepared write needs from the database schema: the columns to create (when the table is
 * missing) or to add. Throws a `ValidationError` for a column whose type is unknown or differs from
 * the table's, an `InvalidParameterError` when `key` is not the table's primary key, a `StoreError`
 * for a table without one.
 */
export function planRecordSchema(prepared: PreparedRecords, existing: TableSchema | undefined): PreparedColumn[] {
  const { table } = prepared;
  const issues: ValidationIssue[] = [];
  const missing: PreparedColumn[] = [];
  if (existing !== undefined) {
    if (existing.key.length === 0) {
      throw new StoreError(`table '${table}' has no primary key, so writeRecords cannot upsert into it`);
    }
    const same =
      existing.key.length === prepared.key.length && existing.key.every((name) => prepared.key.includes(name));
    if (!same) {
      throw new InvalidParameterError('key', prepared.key, `table '${table}' is keyed by (${existing.key.join(', ')})`);
    }
  }
  for (const column of prepared.columns) {
    const stored = existing?.columns.get(column.name);
    if (stored === undefined) {
      if (column.type === undefined) {
        issues.push({
          field: column.name,
          reason: `NULL in every row and not in the table yet, so its type is unknown: declare it in options.columns (${COLUMN_TYPES.join(', ')})`,
        });
      } else missing.push(column);
      continue;
    }
    if (stored.type === undefined) {
      issues.push({
        field: column.name,
        reason: `the column's SQL type ${stored.sqlType} is not one writeRecords writes`,
      });
    } else if (column.type !== undefined && column.type !== stored.type) {
      issues.push({
        ...(column.typedBy === undefined ? {} : { row: column.typedBy }),
        field: column.name,
        reason: `a ${column.type} value, but the table's column is ${stored.type} (${stored.sqlType})`,
      });
    }
  }
  if (issues.length > 0) throw new ValidationError(`writeRecords to table '${table}'`, issues);
  return missing;
}

/**
 * Checks a {@link RecordStore.readRecords} filter against the table's columns: known names, values
 * of the column's type, no NaN. Returns the filter's entries.
 */
export function checkRecordFilter(
  table: string,
  where: RecordFilter | undefined,
  schema: TableSchema,
): [string, string | number | boolean][] {
  if (where === undefined) return [];
  if (typeof where !== 'object' || where === null) {
    throw new InvalidParameterError('where', where, 'expected an object of column → value');
  }
  const entries = Object.entries(where);
  for (const [name, value] of entries) {
    const stored = schema.columns.get(name);
    if (stored === undefined) {
      throw new InvalidParameterError(`where.${name}`, value, `table '${table}' has no column '${name}'`);
    }
    const type = typeof value === 'number' && Number.isNaN(value) ? undefined : typeOf(value);
    if (type === undefined) {
      throw new InvalidParameterError(`where.${name}`, value, 'expected a string, a number (not NaN) or a boolean');
    }
    if (stored.type !== undefined && stored.type !== type) {
      throw new InvalidParameterError(`where.${name}`, value, `column '${name}' of table '${table}' is ${stored.type}`);
    }
  }
  return entries;
}

/** A value read from the database as a {@link RecordValue}; integers beyond ±2^53 or other types are a `StoreError`. */
export function toRecordValue(value: unknown, table: string, column: string): RecordValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint' && Number.isSafeInteger(Number(value))) return Number(value);
  throw new StoreError(
    `column '${column}' of table '${table}' holds a value readRecords cannot return (${typeof value}: ${String(value)})`,
  );
}

/** Orders rows by their key values (numbers numerically, strings by code unit, false before true). */
export function compareKeys(a: readonly RecordValue[], b: readonly RecordValue[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x === y) continue;
    return x! < y! ? -1 : 1;
  }
  return 0;
}

function typeOf(value: RecordValue): RecordColumnType | undefined {
  if (typeof value === 'number') return 'double';
  if (typeof value === 'string') return 'text';
  if (typeof value === 'boolean') return 'boolean';
  return undefined;
}

/** A cell value as `{ ok }` (NaN → null), or why it is refused. */
function checkValue(raw: unknown): { ok: RecordValue } | { reason: string } {
  if (raw === null) return { ok: null };
  switch (typeof raw) {
    case 'number':
      return { ok: Number.isNaN(raw) ? null : raw };
    case 'boolean':
      return { ok: raw };
    case 'string':
      // PostgreSQL text cannot hold U+0000; refused everywhere so every store keeps the same rows.
      return raw.includes('\u0000')
        ? { reason: 'a string containing U+0000 (NUL), which PostgreSQL cannot store' }
        : { ok: raw };
    default:
      return {
        reason: `expected a string, number, boolean or null, got ${raw instanceof Date ? 'a Date (store epoch milliseconds)' : typeof raw}`,
      };
  }
}

function checkKeyOption(key: unknown): string[] {
  if (!Array.isArray(key) || key.length === 0) {
    throw new InvalidParameterError('key', key, 'expected a non-empty array of column names');
  }
  for (const name of key) {
    if (typeof name !== 'string' || !RECORD_IDENTIFIER.test(name)) {
      throw new InvalidParameterError('key', key, `column ${JSON.stringify(name)}: ${IDENTIFIER_RULE} characters`);
    }
  }
  if (new Set(key).size !== key.length) throw new InvalidParameterError('key', key, 'a column is named twice');
  return [...key];
}

function checkDeclaredColumns(columns: unknown): Map<string, RecordColumnType> {
  const declared = new Map<string, RecordColumnType>();
  if (columns === undefined) return declared;
  if (typeof columns !== 'object' || columns === null) {
    throw new InvalidParameterError('columns', columns, 'expected an object of column → type');
  }
  for (const [name, type] of Object.entries(columns)) {
    if (type === undefined) continue;
    if (!RECORD_IDENTIFIER.test(name)) {
      throw new InvalidParameterError(`columns.${name}`, type, `column name: ${IDENTIFIER_RULE} characters`);
    }
    if (!COLUMN_TYPES.includes(type as RecordColumnType)) {
      throw new InvalidParameterError(`columns.${name}`, type, `expected one of ${COLUMN_TYPES.join(', ')}`);
    }
    declared.set(name, type as RecordColumnType);
  }
  return declared;
}

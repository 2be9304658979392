import { describe, expect, test } from 'bun:test';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MIGRATIONS, renderStatement } from '../../src/db/index.ts';
import { MIGRATIONS_TABLE_DDL } from '../../src/db/schema.ts';

/**
 * Aurora DSQL lint: every statement the store runs must be legal on DSQL
 * (https://docs.aws.amazon.com/aurora-dsql/latest/userguide/working-with-postgresql-compatibility-unsupported-features.html).
 * The linter is tested against illegal statements first, so a lint that passes everything fails here.
 */

const RULES: readonly { name: string; pattern: RegExp }[] = [
  { name: 'foreign key (REFERENCES)', pattern: /\bREFERENCES\b|\bFOREIGN\s+KEY\b/i },
  { name: 'JSON/JSONB column type', pattern: /\s(JSONB?)(\s|,|\)|\[|$)/i },
  { name: 'array column type', pattern: /\b(TEXT|INTEGER|INT|BIGINT|VARCHAR)\s*\[\]/i },
  { name: 'trigger', pattern: /\bCREATE\s+(OR\s+REPLACE\s+)?(CONSTRAINT\s+)?TRIGGER\b/i },
  { name: 'extension', pattern: /\bEXTENSION\b/i },
  { name: 'temporary table', pattern: /\bTEMP(ORARY)?\b|\bUNLOGGED\b/i },
  { name: 'TRUNCATE', pattern: /\bTRUNCATE\b/i },
  { name: 'SERIAL or sequence', pattern: /\b(SMALL|BIG)?SERIAL\b|\bSEQUENCE\b|\bIDENTITY\b|\bnextval\s*\(/i },
  { name: 'plpgsql / DO block', pattern: /\bLANGUAGE\s+plpgsql\b|\bDO\s+\$\$/i },
  { name: 'partitioning or inheritance', pattern: /\bPARTITION\s+BY\b|\bINHERITS\b/i },
  { name: 'index sort order', pattern: /CREATE\s+(UNIQUE\s+)?INDEX[^(]*\([^)]*\b(ASC|DESC)\b/i },
  { name: 'CREATE TABLE AS / COLLATE', pattern: /CREATE\s+TABLE[^(]*\bAS\s+SELECT\b|\bCOLLATE\b/i },
  { name: 'more than one statement', pattern: /;\s*\S/ },
  {
    name: 'ALTER COLUMN / DROP COLUMN / ADD CONSTRAINT',
    pattern: /\bALTER\s+COLUMN\b|\bDROP\s+COLUMN\b|\bADD\s+CONSTRAINT\b/i,
  },
];

function lint(statement: string, dialect: 'postgres' | 'dsql'): string[] {
  const problems = RULES.filter((rule) => rule.pattern.test(statement)).map((rule) => rule.name);
  const index = /^CREATE\s+(UNIQUE\s+)?INDEX\b/i.test(statement);
  if (dialect === 'dsql' && index && !/^CREATE\s+(UNIQUE\s+)?INDEX\s+ASYNC\b/i.test(statement)) {
    problems.push('index not built with ASYNC on DSQL');
  }
  if (dialect === 'postgres' && /\bASYNC\b/i.test(statement)) problems.push('ASYNC on Postgres');
  const columns = /^CREATE\s+(UNIQUE\s+)?INDEX[^(]*\(([^)]*)\)/i.exec(statement)?.[2]?.split(',').length ?? 0;
  if (columns > 8) problems.push('more than 8 index columns');
  return problems;
}

describe('the DSQL lint catches what DSQL rejects', () => {
  test.each([
    ['CREATE TABLE a (id TEXT PRIMARY KEY, b TEXT REFERENCES c (id))', 'foreign key (REFERENCES)'],
    ['CREATE TABLE a (id TEXT PRIMARY KEY, doc JSONB)', 'JSON/JSONB column type'],
    ['CREATE TABLE a (id TEXT PRIMARY KEY, doc JSON NOT NULL)', 'JSON/JSONB column type'],
    ['CREATE TABLE a (id TEXT PRIMARY KEY, tags TEXT[])', 'array column type'],
    ['CREATE TRIGGER t AFTER INSERT ON a FOR EACH ROW EXECUTE FUNCTION f()', 'trigger'],
    ['CREATE EXTENSION IF NOT EXISTS pgcrypto', 'extension'],
    ['CREATE TEMP TABLE a (id TEXT)', 'temporary table'],
    ['TRUNCATE decisions', 'TRUNCATE'],
    ['CREATE TABLE a (id BIGSERIAL PRIMARY KEY)', 'SERIAL or sequence'],
    ['CREATE SEQUENCE s', 'SERIAL or sequence'],
    ['CREATE INDEX IF NOT EXISTS i ON a (at DESC)', 'index sort order'],
    ['CREATE TABLE a (id TEXT); CREATE TABLE b (id TEXT)', 'more than one statement'],
    ['ALTER TABLE a ALTER COLUMN b SET NOT NULL', 'ALTER COLUMN / DROP COLUMN / ADD CONSTRAINT'],
  ])('%s', (statement, rule) => {
    expect(lint(statement, 'postgres')).toContain(rule);
  });

  test('a plain CREATE INDEX is flagged for DSQL; its rendered form is not', () => {
    const statement = 'CREATE INDEX IF NOT EXISTS i ON a (cluster, at)';
    expect(lint(statement, 'dsql')).toEqual(['index not built with ASYNC on DSQL']);
    expect(renderStatement(statement, 'dsql')).toBe('CREATE INDEX ASYNC IF NOT EXISTS i ON a (cluster, at)');
    expect(renderStatement('CREATE UNIQUE INDEX IF NOT EXISTS u ON a (k)', 'dsql')).toBe(
      'CREATE UNIQUE INDEX ASYNC IF NOT EXISTS u ON a (k)',
    );
  });
});

describe('the store schema is DSQL-legal', () => {
  const statements = [MIGRATIONS_TABLE_DDL, ...MIGRATIONS.map((m) => m.statement)];

  test.each(['postgres', 'dsql'] as const)('every migration rendered for %s passes the lint', (dialect) => {
    const problems = statements.flatMap((s) => lint(renderStatement(s, dialect), dialect).map((p) => `${p}: ${s}`));
    expect(problems).toEqual([]);
  });

  test('every index is ASYNC on DSQL and plain IF NOT EXISTS elsewhere', () => {
    const indexes = MIGRATIONS.filter((m) => m.statement.startsWith('CREATE INDEX'));
    expect(indexes.length).toBeGreaterThan(10);
    for (const m of indexes) {
      expect(renderStatement(m.statement, 'dsql')).toStartWith('CREATE INDEX ASYNC IF NOT EXISTS ');
      expect(renderStatement(m.statement, 'postgres')).toStartWith('CREATE INDEX IF NOT EXISTS ');
    }
  });

  test('versions are unique and ordered; tables stay under DSQL limits (24 indexes, 255 columns)', () => {
    const versions = MIGRATIONS.map((m) => m.version);
    expect(new Set(versions).size).toBe(versions.length);
    expect([...versions].sort()).toEqual(versions);
    const perTable = new Map<string, number>();
    for (const m of MIGRATIONS) {
      const table = /\bON\s+(\w+)\s*\(/.exec(m.statement)?.[1];
      if (table) perTable.set(table, (perTable.get(table) ?? 0) + 1);
      const columns = m.statement.match(/^\s{2}\w+ [A-Z]+/gm)?.length ?? 0;
      expect(columns).toBeLessThanOrEqual(255);
    }
    for (const n of perTable.values()) expect(n).toBeLessThanOrEqual(24);
  });

  test('no store code uses TRUNCATE, SAVEPOINT, advisory locks, LISTEN or temp tables', () => {
    const dir = join(import.meta.dir, '../../src/db');
    let scanned = 0;
    const offenders = readdirSync(dir)
      .filter((f) => f.endsWith('.ts'))
      .flatMap((f) => {
        // Only the SQL: the text of tagged templates (sql`…`, tx`…`).
        const queries = [...readFileSync(join(dir, f), 'utf8').matchAll(/\b(?:sql|tx)`([^`]*)`/g)].map((m) => m[1]);
        scanned += queries.length;
        return queries.some((q) => /\b(TRUNCATE|SAVEPOINT|pg_advisory\w*|LISTEN|TEMP(ORARY)? TABLE)\b/i.test(q ?? ''))
          ? [f]
          : [];
      });
    expect(offenders).toEqual([]);
    // The scan must actually see the queries, or it proves nothing.
    expect(scanned).toBeGreaterThan(30);
  });
});

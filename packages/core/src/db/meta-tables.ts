import { boolean, index, integer, pgTable, text, timestamp, varchar } from 'drizzle-orm/pg-core';

/**
 * Which demo district a department's database was seeded with. Every department's schema includes it, so the
 * hub can tell on start whether a database still needs its demo data, and refuses to mix two demo worlds.
 */
export const demoSeed = pgTable('demo_seed', {
  department: text('department').primaryKey(),
  seed: integer('seed').notNull(),
  residents: integer('residents').notNull(),
  seededAt: timestamp('seeded_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * One row per import of a file into a department's database (`npm run import`): who ran it, when, which file (by
 * its SHA-256, so a re-run of the same file is recognisable) and what it did. Defined once here and re-exported by
 * every department's schema, so each keeps its own record of what was loaded into it.
 */
export const importRuns = pgTable(
  'import_runs',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    entity: text('entity').notNull(),
    fileName: text('file_name').notNull(),
    fileSha256: varchar('file_sha256', { length: 64 }).notNull(),
    format: text('format').notNull(),
    importedBy: text('imported_by').notNull(),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
    finishedAt: timestamp('finished_at', { withTimezone: true }).notNull(),
    /** How references to other departments' records were checked: through the graph, or by format only. */
    foreignReferences: text('foreign_references').notNull(),
    rowsRead: integer('rows_read').notNull(),
    inserted: integer('inserted').notNull(),
    updated: integer('updated').notNull(),
    unchanged: integer('unchanged').notNull(),
    rejected: integer('rejected').notNull(),
    /** False when the run stopped on an error after some batches were committed. */
    completed: boolean('completed').notNull(),
  },
  (t) => [index('import_runs_started_idx').on(t.startedAt, t.id)],
);

export type ImportRunRow = typeof importRuns.$inferSelect;

-- The audit department's database roles (deploy/README.md → Audit database roles). Run as a superuser, connected to
-- the audit database:
--   psql "postgres://ADMIN@pg.audit…/audit" -v ON_ERROR_STOP=1 -f deploy/sql/audit-roles.sql
-- once before the audit subgraph first starts (roles, ownership), again once it has migrated the database (the
-- grants on the tables the migrations created), and after every upgrade that brings an audit migration. Running it
-- again changes nothing. No password is kept here: set each with `\password hub_audit_writer` (and so on) in psql.
--
--   hub_audit_migrator  owns the database, its schemas, tables and types; the audit subgraph migrates as it. As the
--                       owner it could disable the append-only triggers: no other workload has its credential.
--   hub_audit_writer    the gateway: INSERT into audit_records, and SELECT of (seq, hash) to find the chain's head
--                       (the writer takes the chain's advisory lock, reads the head and inserts records with their
--                       seq: subgraphs/audit/src/writer.ts). No UPDATE, DELETE or TRUNCATE, no other column, no DDL,
--                       no temporary tables.
--   hub_audit_reader    the nightly audit-verify (and the audit subgraph's queries, once it migrates through a URL of
--                       its own): SELECT only.
--   hub_audit_department_writer
--                       the departments, for what only they see (an internal token refused, a notice a timer issued):
--                       the writer's grants, and a row-level security policy that lets it insert only those two event
--                       types, so a department's credential cannot put a person's reads or writes in the trail.

-- The roles, with no attribute beyond LOGIN.
DO $$
DECLARE
  role text;
BEGIN
  FOREACH role IN ARRAY ARRAY['hub_audit_migrator', 'hub_audit_writer', 'hub_audit_reader', 'hub_audit_department_writer'] LOOP
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = role) THEN
      EXECUTE format('CREATE ROLE %I LOGIN', role);
    END IF;
    EXECUTE format('ALTER ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS', role);
  END LOOP;
END
$$;

-- The database: owned by the migrator (it creates the `drizzle` schema of applied migrations); the others connect,
-- nobody else does anything, temporary tables included.
DO $$
BEGIN
  EXECUTE format('ALTER DATABASE %I OWNER TO hub_audit_migrator', current_database());
  EXECUTE format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database());
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO hub_audit_writer, hub_audit_reader, hub_audit_department_writer', current_database());
END
$$;

-- The schema: the migrator's; the others may name what is in it, and create nothing.
ALTER SCHEMA public OWNER TO hub_audit_migrator;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO hub_audit_writer, hub_audit_reader, hub_audit_department_writer;

-- What an earlier install created under another user (one credential for everything) becomes the migrator's.
DO $$
DECLARE
  object record;
BEGIN
  FOR object IN
    SELECT format('ALTER TABLE %I.%I OWNER TO hub_audit_migrator', n.nspname, c.relname) AS statement
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname IN ('public', 'drizzle') AND c.relkind IN ('r', 'p', 'v', 'm')
       AND c.relowner <> 'hub_audit_migrator'::regrole
    UNION ALL
    SELECT format('ALTER TYPE %I.%I OWNER TO hub_audit_migrator', n.nspname, t.typname)
      FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
     WHERE n.nspname IN ('public', 'drizzle') AND t.typtype IN ('e', 'd')
       AND t.typowner <> 'hub_audit_migrator'::regrole
    UNION ALL
    SELECT format('ALTER FUNCTION %s OWNER TO hub_audit_migrator', p.oid::regprocedure)
      FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
     WHERE n.nspname IN ('public', 'drizzle') AND p.proowner <> 'hub_audit_migrator'::regrole
    UNION ALL
    SELECT 'ALTER SCHEMA drizzle OWNER TO hub_audit_migrator'
      FROM pg_namespace WHERE nspname = 'drizzle' AND nspowner <> 'hub_audit_migrator'::regrole
  LOOP
    EXECUTE object.statement;
  END LOOP;
END
$$;

-- The reader reads every table, those of later migrations too; the writer has nothing but what follows.
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM hub_audit_writer, hub_audit_reader, hub_audit_department_writer;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM hub_audit_writer, hub_audit_reader, hub_audit_department_writer;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO hub_audit_reader;
ALTER DEFAULT PRIVILEGES FOR ROLE hub_audit_migrator IN SCHEMA public GRANT SELECT ON TABLES TO hub_audit_reader;

-- The writers' grants and rows, once the migrations have created the table.
DO $$
DECLARE
  policy record;
BEGIN
  IF to_regclass('public.audit_records') IS NULL THEN
    RAISE NOTICE 'audit_records does not exist yet: run this script again once the audit subgraph has migrated the database';
  ELSE
    GRANT INSERT, SELECT (seq, hash) ON public.audit_records TO hub_audit_writer, hub_audit_department_writer;
    -- Which rows each role may add. Every role sees every row (the writers' column grants still hide all but the
    -- chain's head: a writer that saw no rows would start a second chain); the gateway inserts any record; a
    -- department only its own kinds. The owner (the migrator) is exempt, as PostgreSQL exempts a table's owner.
    ALTER TABLE public.audit_records ENABLE ROW LEVEL SECURITY;
    -- Made afresh on every run (a changed rule replaces the old one), without IF EXISTS and its notice.
    FOR policy IN SELECT policyname FROM pg_policies WHERE schemaname = 'public' AND tablename = 'audit_records' LOOP
      EXECUTE format('DROP POLICY %I ON public.audit_records', policy.policyname);
    END LOOP;
    CREATE POLICY audit_records_read ON public.audit_records FOR SELECT USING (true);
    CREATE POLICY audit_records_gateway_append ON public.audit_records FOR INSERT TO hub_audit_writer WITH CHECK (true);
    CREATE POLICY audit_records_department_append ON public.audit_records FOR INSERT TO hub_audit_department_writer
      WITH CHECK (event_type::text IN ('INTERNAL_TOKEN_REFUSED', 'SYSTEM_WRITE'));
  END IF;
END
$$;

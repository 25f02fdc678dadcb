using Dapper;
using Npgsql;

namespace Warden.Runtime.Storage.Postgres;

/// <summary>
/// Versioned schema changes for the PostgreSQL store, applied in order at start-up. Never edit a shipped migration: add
/// one. The tables mirror the SQLite schema (<see cref="Migrations"/>) column for column for what this store holds;
/// timestamps stay ISO-8601 text, and text that is sorted or compared by range is <c>COLLATE "C"</c>, so ORDER BY and
/// the <c>at</c> windows compare bytes exactly as SQLite does, whatever the database's default collation.
/// </summary>
internal static class PostgresMigrations
{
    /// <summary>The session advisory lock migrations run under: instances starting together apply each version once.</summary>
    private const long MigrationLock = 0x5761_7264_656E; // "Warden"

    private static readonly (int Version, string Name, string Sql)[] All =
    [
        (1, "initial", """
            CREATE TABLE tenants (
                id TEXT COLLATE "C" PRIMARY KEY,
                name TEXT NOT NULL,
                created_at TEXT COLLATE "C" NOT NULL,
                is_platform BOOLEAN NOT NULL DEFAULT FALSE
            );
            CREATE TABLE api_keys (
                id TEXT COLLATE "C" PRIMARY KEY,
                tenant_id TEXT COLLATE "C" NOT NULL REFERENCES tenants(id),
                name TEXT NOT NULL,
                prefix TEXT COLLATE "C" NOT NULL,
                key_hash TEXT NOT NULL UNIQUE,
                role TEXT NOT NULL,
                created_at TEXT COLLATE "C" NOT NULL,
                revoked_at TEXT
            );
            CREATE INDEX ix_api_keys_tenant_prefix ON api_keys (tenant_id, prefix);
            CREATE TABLE graphs (
                tenant_id TEXT COLLATE "C" NOT NULL,
                id TEXT COLLATE "C" NOT NULL,
                description TEXT,
                latest_version BIGINT NOT NULL,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                PRIMARY KEY (tenant_id, id)
            );
            CREATE TABLE graph_versions (
                tenant_id TEXT COLLATE "C" NOT NULL,
                graph_id TEXT COLLATE "C" NOT NULL,
                version BIGINT NOT NULL,
                content_hash TEXT NOT NULL,
                format TEXT NOT NULL,
                source TEXT NOT NULL,
                created_at TEXT NOT NULL,
                PRIMARY KEY (tenant_id, graph_id, version)
            );
            CREATE TABLE tools (
                tenant_id TEXT COLLATE "C" NOT NULL,
                name TEXT COLLATE "C" NOT NULL,
                description TEXT,
                action_class TEXT NOT NULL,
                input_schema TEXT,
                endpoint TEXT,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                PRIMARY KEY (tenant_id, name)
            );
            CREATE TABLE agents (
                tenant_id TEXT COLLATE "C" NOT NULL,
                name TEXT COLLATE "C" NOT NULL,
                description TEXT,
                role TEXT NOT NULL,
                prompt TEXT NOT NULL,
                tools TEXT NOT NULL,
                provider TEXT,
                model TEXT,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                PRIMARY KEY (tenant_id, name)
            );
            CREATE TABLE audit_log (
                tenant_id TEXT COLLATE "C" NOT NULL,
                seq BIGINT NOT NULL,
                at TEXT COLLATE "C" NOT NULL,
                actor TEXT COLLATE "C" NOT NULL,
                action TEXT COLLATE "C" NOT NULL,
                target TEXT COLLATE "C" NOT NULL,
                payload_hash TEXT NOT NULL,
                prev_hash TEXT NOT NULL,
                hash TEXT NOT NULL,
                PRIMARY KEY (tenant_id, seq)
            );
            CREATE INDEX ix_audit_log_tenant_action ON audit_log (tenant_id, action, seq);
            CREATE INDEX ix_audit_log_tenant_at ON audit_log (tenant_id, at);
            CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'the audit log is append-only';
            END
            $$;
            CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
                FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
            CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
                FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
            -- Rows the embedded engines forwarded from their local outboxes, by outbox id: a forward retried after a
            -- crash between this commit and the outbox delete appends nothing the second time.
            CREATE TABLE audit_forwarded (
                id TEXT PRIMARY KEY,
                tenant_id TEXT NOT NULL,
                seq BIGINT NOT NULL
            );
            -- The per-tenant HTTP rate limit shared by every instance: Core's sliding-window state, one row per tenant,
            -- changed only under the row's lock.
            CREATE TABLE api_rate_limits (
                tenant_id TEXT COLLATE "C" PRIMARY KEY,
                window_start_ticks BIGINT NOT NULL,
                current_count INTEGER NOT NULL,
                previous_count INTEGER NOT NULL,
                updated_at TEXT NOT NULL
            );
            """),
        (2, "suites", """
            -- Suites shared by every instance (warden serve --store postgres://...): any instance reads a suite run
            -- another started. The case runs themselves stay in the engine's log of the instance that ran them.
            CREATE TABLE suites (
                tenant_id TEXT COLLATE "C" NOT NULL,
                id TEXT COLLATE "C" NOT NULL,
                latest_version BIGINT NOT NULL,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                PRIMARY KEY (tenant_id, id)
            );
            CREATE TABLE suite_versions (
                tenant_id TEXT COLLATE "C" NOT NULL,
                suite_id TEXT COLLATE "C" NOT NULL,
                version BIGINT NOT NULL,
                content_hash TEXT NOT NULL,
                format TEXT NOT NULL,
                source TEXT NOT NULL,
                created_at TEXT NOT NULL,
                PRIMARY KEY (tenant_id, suite_id, version)
            );
            CREATE TABLE suite_runs (
                tenant_id TEXT COLLATE "C" NOT NULL,
                id TEXT COLLATE "C" NOT NULL,
                suite_id TEXT COLLATE "C" NOT NULL,
                suite_version BIGINT NOT NULL,
                status TEXT COLLATE "C" NOT NULL,
                result TEXT,
                created_at TEXT COLLATE "C" NOT NULL,
                updated_at TEXT NOT NULL,
                ended_at TEXT,
                PRIMARY KEY (tenant_id, id)
            );
            CREATE INDEX ix_suite_runs_tenant_created ON suite_runs (tenant_id, created_at DESC, id DESC);
            CREATE INDEX ix_suite_runs_running ON suite_runs (status) WHERE status = 'running';
            """),
        (3, "releases", """
            CREATE TABLE graph_snapshots (
                tenant_id TEXT COLLATE "C" NOT NULL,
                graph_id TEXT COLLATE "C" NOT NULL,
                id TEXT NOT NULL,
                graph_version BIGINT NOT NULL,
                content_hash TEXT NOT NULL,
                content TEXT NOT NULL,
                created_by TEXT NOT NULL,
                created_at TEXT NOT NULL,
                PRIMARY KEY (tenant_id, graph_id, id)
            );
            -- Each move of a graph's channel, in order: the newest row per channel is where it points now.
            CREATE TABLE graph_releases (
                tenant_id TEXT COLLATE "C" NOT NULL,
                graph_id TEXT COLLATE "C" NOT NULL,
                seq BIGINT NOT NULL,
                channel TEXT NOT NULL,
                snapshot_id TEXT NOT NULL,
                kind TEXT NOT NULL,
                previous TEXT,
                actor TEXT NOT NULL,
                reason TEXT,
                at TEXT NOT NULL,
                PRIMARY KEY (tenant_id, graph_id, seq)
            );
                        -- A graph's shadow setting: that share of its active runs also runs the candidate snapshot on the same input.
            CREATE TABLE graph_shadows (
                tenant_id TEXT COLLATE "C" NOT NULL,
                graph_id TEXT COLLATE "C" NOT NULL,
                candidate_snapshot_id TEXT NOT NULL,
                percent DOUBLE PRECISION NOT NULL,
                threshold DOUBLE PRECISION NOT NULL,
                updated_at TEXT NOT NULL,
                PRIMARY KEY (tenant_id, graph_id)
            );
            -- A primary run and its shadow; scored once both have ended.
            CREATE TABLE shadow_pairs (
                tenant_id TEXT COLLATE "C" NOT NULL,
                primary_run_id TEXT COLLATE "C" NOT NULL,
                graph_id TEXT COLLATE "C" NOT NULL,
                shadow_run_id TEXT NOT NULL,
                primary_snapshot_id TEXT,
                shadow_snapshot_id TEXT NOT NULL,
                threshold DOUBLE PRECISION NOT NULL,
                created_at TEXT COLLATE "C" NOT NULL,
                score DOUBLE PRECISION,
                output_similarity DOUBLE PRECISION,
                trajectory_similarity DOUBLE PRECISION,
                flagged INTEGER,
                scored_at TEXT,
                PRIMARY KEY (tenant_id, primary_run_id)
            );
            CREATE INDEX ix_shadow_pairs_graph ON shadow_pairs (tenant_id, graph_id, created_at DESC);
            CREATE INDEX ix_shadow_pairs_unscored ON shadow_pairs (scored_at, created_at);
            """),
        (4, "release_guard", """
            -- The latest release guard verdict per snapshot: a breach rolls back to the newest earlier release that passed.
            CREATE TABLE graph_guard_results (
                tenant_id TEXT COLLATE "C" NOT NULL,
                graph_id TEXT COLLATE "C" NOT NULL,
                snapshot_id TEXT COLLATE "C" NOT NULL,
                graph_version BIGINT NOT NULL,
                environment TEXT NOT NULL,
                passed BOOLEAN NOT NULL,
                result TEXT NOT NULL,
                actor TEXT NOT NULL,
                at TEXT COLLATE "C" NOT NULL,
                PRIMARY KEY (tenant_id, graph_id, snapshot_id)
            );
            """),
    ];

    public static int Latest => All[^1].Version;

    public static int Count => All.Length;

    public static void Apply(NpgsqlConnection connection)
    {
        connection.Execute("SELECT pg_advisory_lock(@MigrationLock)", new { MigrationLock });
        try
        {
            connection.Execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)");
            var applied = connection.Query<int>("SELECT version FROM schema_migrations").ToHashSet();
            foreach (var (version, name, sql) in All)
            {
                if (applied.Contains(version))
                {
                    continue;
                }

                using var tx = connection.BeginTransaction();
                connection.Execute(sql, transaction: tx);
                connection.Execute(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (@version, @name, @at)",
                    new { version, name, at = DateTimeOffset.UtcNow.ToString("O") },
                    tx);
                tx.Commit();
            }
        }
        finally
        {
            connection.Execute("SELECT pg_advisory_unlock(@MigrationLock)", new { MigrationLock });
        }
    }
}

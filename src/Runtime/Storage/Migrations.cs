using Dapper;
using Microsoft.Data.Sqlite;

namespace Warden.Runtime.Storage;

/// <summary>Versioned schema changes, applied in order at start-up. Never edit a shipped migration: add one.</summary>
internal static class Migrations
{
    private static readonly (int Version, string Name, string Sql)[] All =
    [
        (1, "initial", """
            CREATE TABLE tenants (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                created_at TEXT NOT NULL
            );
            CREATE TABLE api_keys (
                id TEXT PRIMARY KEY,
                tenant_id TEXT NOT NULL REFERENCES tenants(id),
                name TEXT NOT NULL,
                prefix TEXT NOT NULL,
                key_hash TEXT NOT NULL UNIQUE,
                role TEXT NOT NULL,
                created_at TEXT NOT NULL,
                revoked_at TEXT
            );
            CREATE TABLE graphs (
                tenant_id TEXT NOT NULL,
                id TEXT NOT NULL,
                description TEXT,
                latest_version INTEGER NOT NULL,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                PRIMARY KEY (tenant_id, id)
            );
            CREATE TABLE graph_versions (
                tenant_id TEXT NOT NULL,
                graph_id TEXT NOT NULL,
                version INTEGER NOT NULL,
                content_hash TEXT NOT NULL,
                format TEXT NOT NULL,
                source TEXT NOT NULL,
                created_at TEXT NOT NULL,
                PRIMARY KEY (tenant_id, graph_id, version)
            );
            CREATE TABLE runs (
                id TEXT PRIMARY KEY,
                tenant_id TEXT NOT NULL,
                graph_id TEXT NOT NULL,
                graph_version INTEGER NOT NULL,
                status TEXT NOT NULL,
                input TEXT NOT NULL,
                output TEXT,
                error TEXT,
                state TEXT NOT NULL,
                version INTEGER NOT NULL,
                event_seq INTEGER NOT NULL,
                input_tokens INTEGER NOT NULL DEFAULT 0,
                output_tokens INTEGER NOT NULL DEFAULT 0,
                cost_usd TEXT NOT NULL DEFAULT '0',
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                ended_at TEXT
            );
            CREATE INDEX ix_runs_tenant_created ON runs (tenant_id, created_at DESC, id DESC);
            CREATE INDEX ix_runs_tenant_graph ON runs (tenant_id, graph_id, created_at DESC);
            CREATE TABLE run_events (
                run_id TEXT NOT NULL,
                seq INTEGER NOT NULL,
                tenant_id TEXT NOT NULL,
                at TEXT NOT NULL,
                type TEXT NOT NULL,
                node_id TEXT,
                attempt INTEGER,
                data TEXT,
                PRIMARY KEY (run_id, seq)
            ) WITHOUT ROWID;
            CREATE TABLE outbox (
                run_id TEXT NOT NULL,
                node_id TEXT NOT NULL,
                visit INTEGER NOT NULL,
                attempt INTEGER NOT NULL,
                tenant_id TEXT NOT NULL,
                payload TEXT NOT NULL,
                created_at TEXT NOT NULL,
                PRIMARY KEY (run_id, node_id, visit, attempt)
            ) WITHOUT ROWID;
            CREATE TABLE timers (
                run_id TEXT NOT NULL,
                tag TEXT NOT NULL,
                due_ms INTEGER NOT NULL,
                tenant_id TEXT NOT NULL,
                PRIMARY KEY (run_id, tag)
            ) WITHOUT ROWID;
            CREATE INDEX ix_timers_due ON timers (due_ms);
            CREATE TABLE approvals (
                id TEXT PRIMARY KEY,
                tenant_id TEXT NOT NULL,
                run_id TEXT NOT NULL,
                node_id TEXT NOT NULL,
                status TEXT NOT NULL,
                message TEXT NOT NULL,
                deadline TEXT,
                escalated INTEGER NOT NULL DEFAULT 0,
                requested_at TEXT NOT NULL,
                decided_at TEXT,
                decided_by TEXT,
                comment TEXT
            );
            CREATE INDEX ix_approvals_tenant_status ON approvals (tenant_id, status);
            CREATE INDEX ix_approvals_run ON approvals (run_id);
            CREATE TABLE llm_usage (
                run_id TEXT NOT NULL,
                node_id TEXT NOT NULL,
                visit INTEGER NOT NULL,
                attempt INTEGER NOT NULL,
                call INTEGER NOT NULL,
                tenant_id TEXT NOT NULL,
                graph_id TEXT NOT NULL,
                provider TEXT NOT NULL,
                model TEXT NOT NULL,
                region TEXT,
                input_tokens INTEGER NOT NULL,
                output_tokens INTEGER NOT NULL,
                cost_usd TEXT NOT NULL,
                latency_ms INTEGER NOT NULL,
                outcome TEXT NOT NULL,
                at TEXT NOT NULL,
                PRIMARY KEY (run_id, node_id, visit, attempt, call)
            ) WITHOUT ROWID;
            CREATE INDEX ix_llm_usage_tenant_at ON llm_usage (tenant_id, at);
            """),
        (2, "guardrails", """
            ALTER TABLE runs ADD COLUMN error_code TEXT;
            CREATE TABLE guardrail_state (
                key TEXT PRIMARY KEY,
                kind TEXT NOT NULL,
                tenant_id TEXT,
                state TEXT NOT NULL,
                updated_at TEXT NOT NULL
            );
            CREATE INDEX ix_guardrail_state_tenant ON guardrail_state (tenant_id, kind);
            """),
        (3, "audit", """
            CREATE TABLE audit_log (
                tenant_id TEXT NOT NULL,
                seq INTEGER NOT NULL,
                at TEXT NOT NULL,
                actor TEXT NOT NULL,
                action TEXT NOT NULL,
                target TEXT NOT NULL,
                payload_hash TEXT NOT NULL,
                prev_hash TEXT NOT NULL,
                hash TEXT NOT NULL,
                PRIMARY KEY (tenant_id, seq)
            ) WITHOUT ROWID;
            CREATE INDEX ix_audit_log_tenant_action ON audit_log (tenant_id, action, seq);
            CREATE INDEX ix_audit_log_tenant_at ON audit_log (tenant_id, at);
            CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
            BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
            CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
            BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
            """),
        (4, "catalog", """
            ALTER TABLE tenants ADD COLUMN is_platform INTEGER NOT NULL DEFAULT 0;
            UPDATE tenants SET is_platform = 1 WHERE id = 'demo';
            CREATE INDEX ix_api_keys_tenant_prefix ON api_keys (tenant_id, prefix);
            CREATE INDEX ix_run_events_tenant_at ON run_events (tenant_id, at, run_id, seq);
            CREATE TABLE tools (
                tenant_id TEXT NOT NULL,
                name TEXT NOT NULL,
                description TEXT,
                action_class TEXT NOT NULL,
                input_schema TEXT,
                endpoint TEXT,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                PRIMARY KEY (tenant_id, name)
            ) WITHOUT ROWID;
            CREATE TABLE agents (
                tenant_id TEXT NOT NULL,
                name TEXT NOT NULL,
                description TEXT,
                role TEXT NOT NULL,
                prompt TEXT NOT NULL,
                tools TEXT NOT NULL,
                provider TEXT,
                model TEXT,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                PRIMARY KEY (tenant_id, name)
            ) WITHOUT ROWID;
            """),
        (5, "oversight_tasks", """
            CREATE TABLE oversight_tasks (
                id TEXT PRIMARY KEY,
                tenant_id TEXT NOT NULL,
                status TEXT NOT NULL,
                assignee TEXT,
                run_id TEXT,
                state TEXT NOT NULL,
                event_seq INTEGER NOT NULL,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL
            );
            CREATE INDEX ix_oversight_tasks_tenant_status ON oversight_tasks (tenant_id, status, updated_at);
            """),
        (6, "audit_outbox", """
            CREATE TABLE audit_outbox (
                id TEXT PRIMARY KEY,
                tenant_id TEXT NOT NULL,
                at TEXT NOT NULL,
                actor TEXT NOT NULL,
                action TEXT NOT NULL,
                target TEXT NOT NULL,
                payload_hash TEXT NOT NULL
            );
            """),
        (7, "suites", """
            CREATE TABLE suites (
                tenant_id TEXT NOT NULL,
                id TEXT NOT NULL,
                latest_version INTEGER NOT NULL,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                PRIMARY KEY (tenant_id, id)
            );
            CREATE TABLE suite_versions (
                tenant_id TEXT NOT NULL,
                suite_id TEXT NOT NULL,
                version INTEGER NOT NULL,
                content_hash TEXT NOT NULL,
                format TEXT NOT NULL,
                source TEXT NOT NULL,
                created_at TEXT NOT NULL,
                PRIMARY KEY (tenant_id, suite_id, version)
            );
            CREATE TABLE suite_runs (
                tenant_id TEXT NOT NULL,
                id TEXT NOT NULL,
                suite_id TEXT NOT NULL,
                suite_version INTEGER NOT NULL,
                status TEXT NOT NULL,
                result TEXT,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                ended_at TEXT,
                PRIMARY KEY (tenant_id, id)
            );
            CREATE INDEX ix_suite_runs_tenant_created ON suite_runs (tenant_id, created_at DESC, id DESC);
            """),
        (8, "recordings", """
            CREATE TABLE run_inputs (
                run_id TEXT NOT NULL,
                seq INTEGER NOT NULL,
                tenant_id TEXT NOT NULL,
                at TEXT NOT NULL,
                kind TEXT NOT NULL,
                payload TEXT NOT NULL,
                PRIMARY KEY (run_id, seq)
            );
            CREATE TABLE recordings (
                tenant_id TEXT NOT NULL,
                id TEXT NOT NULL,
                source_run_id TEXT NOT NULL,
                graph_id TEXT NOT NULL,
                body TEXT NOT NULL,
                created_at TEXT NOT NULL,
                PRIMARY KEY (tenant_id, id)
            );
            """),
        (9, "releases", """
            CREATE TABLE graph_snapshots (
                tenant_id TEXT NOT NULL,
                graph_id TEXT NOT NULL,
                id TEXT NOT NULL,
                graph_version INTEGER NOT NULL,
                content_hash TEXT NOT NULL,
                content TEXT NOT NULL,
                created_by TEXT NOT NULL,
                created_at TEXT NOT NULL,
                PRIMARY KEY (tenant_id, graph_id, id)
            );
            -- Each move of a graph's channel, in order: the newest row per channel is where it points now.
            CREATE TABLE graph_releases (
                tenant_id TEXT NOT NULL,
                graph_id TEXT NOT NULL,
                seq INTEGER NOT NULL,
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
                tenant_id TEXT NOT NULL,
                graph_id TEXT NOT NULL,
                candidate_snapshot_id TEXT NOT NULL,
                percent REAL NOT NULL,
                threshold REAL NOT NULL,
                updated_at TEXT NOT NULL,
                PRIMARY KEY (tenant_id, graph_id)
            );
            -- A primary run and its shadow; scored once both have ended.
            CREATE TABLE shadow_pairs (
                tenant_id TEXT NOT NULL,
                primary_run_id TEXT NOT NULL,
                graph_id TEXT NOT NULL,
                shadow_run_id TEXT NOT NULL,
                primary_snapshot_id TEXT,
                shadow_snapshot_id TEXT NOT NULL,
                threshold REAL NOT NULL,
                created_at TEXT NOT NULL,
                score REAL,
                output_similarity REAL,
                trajectory_similarity REAL,
                flagged INTEGER,
                scored_at TEXT,
                PRIMARY KEY (tenant_id, primary_run_id)
            );
            CREATE INDEX ix_shadow_pairs_graph ON shadow_pairs (tenant_id, graph_id, created_at DESC);
            CREATE INDEX ix_shadow_pairs_unscored ON shadow_pairs (scored_at, created_at);
            """),
        (10, "release_guard", """
            -- The latest release guard verdict per snapshot: a breach rolls back to the newest earlier release that passed.
            CREATE TABLE graph_guard_results (
                tenant_id TEXT NOT NULL,
                graph_id TEXT NOT NULL,
                snapshot_id TEXT NOT NULL,
                graph_version INTEGER NOT NULL,
                environment TEXT NOT NULL,
                passed INTEGER NOT NULL,
                result TEXT NOT NULL,
                actor TEXT NOT NULL,
                at TEXT NOT NULL,
                PRIMARY KEY (tenant_id, graph_id, snapshot_id)
            );
            """),
    ];

    public static int Latest => All[^1].Version;

    public static int Count => All.Length;

    public static void Apply(SqliteConnection connection)
    {
        connection.Execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL);");
        var applied = connection.Query<long>("SELECT version FROM schema_migrations").ToHashSet();
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
}

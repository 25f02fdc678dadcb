using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Warden.Core.Graphs;
using Warden.Core.Runs;
using Warden.Core.Serialization;
using Warden.Runtime.Storage;

namespace Warden.Runtime.Api;

/// <summary>The API's response shapes, built from stored rows. Property names go out in snake_case.</summary>
public static class Responses
{
    public static object Graph(GraphRecord g) => new
    {
        graph_id = g.Id,
        g.Description,
        g.LatestVersion,
        g.CreatedAt,
        g.UpdatedAt,
    };

    public static object GraphVersion(GraphVersionRecord v, GraphDefinition definition) => new
    {
        graph_id = v.GraphId,
        v.Version,
        v.ContentHash,
        v.Format,
        v.CreatedAt,
        definition,
        v.Source,
    };

    public static object RunSummary(RunRecord r) => new
    {
        run_id = r.Id,
        r.GraphId,
        r.GraphVersion,
        r.Status,
        r.Error,
        r.ErrorCode,
        usage = Usage(r),
        r.CreatedAt,
        r.UpdatedAt,
        r.EndedAt,
    };

    public static object Run(RunRecord r)
    {
        var state = r.State == "{}" ? null : WardenJson.Deserialize<RunState>(r.State);
        return new
        {
            run_id = r.Id,
            r.GraphId,
            r.GraphVersion,
            snapshot_id = state?.SnapshotId,
            r.Status,
            input = ParseJson(r.Input),
            r.Output,
            r.Error,
            r.ErrorCode,
            usage = Usage(r),
            nodes = state?.Nodes.Select(kv => new
            {
                node_id = kv.Key,
                status = kv.Value.Status,
                kv.Value.Visit,
                kv.Value.Attempt,
                kv.Value.Provider,
                kv.Value.Model,
                kv.Value.Region,
                kv.Value.Calls,
                kv.Value.Output,
                kv.Value.Error,
                kv.Value.ApprovalId,
                usage = new { kv.Value.Usage.InputTokens, kv.Value.Usage.OutputTokens, kv.Value.Usage.CostUsd },
                kv.Value.StartedAt,
                kv.Value.EndedAt,
            }),
            tags = state?.Options?.Tags,
            options = state?.Options is { } options ? new { mock = options.Mocks, options.Chaos, options.Replay } : null,
            r.CreatedAt,
            r.UpdatedAt,
            r.EndedAt,
        };
    }

    public static object Snapshot(Storage.SnapshotRecord s, string[] channels) => new
    {
        snapshot_id = s.Id,
        graph_id = s.GraphId,
        graph_version = s.GraphVersion,
        content_hash = s.ContentHash,
        content = ParseJson(s.Content),
        channels,
        created_by = s.CreatedBy,
        created_at = s.CreatedAt,
    };

    public static object Release(Core.Releases.ReleaseEntry e) => new
    {
        e.Seq,
        e.Channel,
        snapshot_id = e.SnapshotId,
        e.Kind,
        e.Previous,
        e.Actor,
        e.Reason,
        e.At,
    };

    public static object Shadow(string graphId, Core.Releases.ShadowConfig? config) => new
    {
        graph_id = graphId,
        enabled = config is not null,
        candidate = config?.CandidateSnapshotId,
        percent = config?.Percent,
        threshold = config?.Threshold,
    };

    public static object ShadowPair(Storage.ShadowPairRecord p) => new
    {
        primary_run_id = p.PrimaryRunId,
        shadow_run_id = p.ShadowRunId,
        primary_snapshot_id = p.PrimarySnapshotId,
        shadow_snapshot_id = p.ShadowSnapshotId,
        p.Threshold,
        p.Score,
        output_similarity = p.OutputSimilarity,
        trajectory_similarity = p.TrajectorySimilarity,
        p.Flagged,
        created_at = p.CreatedAt,
        scored_at = p.ScoredAt,
    };

    public static object Event(RunEventRecord e) => new
    {
        e.Seq,
        e.At,
        e.Type,
        e.NodeId,
        e.Attempt,
        data = e.Data is null ? null : ParseJson(e.Data),
    };

    public static object Approval(ApprovalRecord a) => new
    {
        approval_id = a.Id,
        a.RunId,
        a.NodeId,
        a.Status,
        a.Message,
        a.Deadline,
        a.Escalated,
        a.RequestedAt,
        a.DecidedAt,
        a.DecidedBy,
        a.Comment,
    };

    private static object Usage(RunRecord r) => new
    {
        input_tokens = r.InputTokens,
        output_tokens = r.OutputTokens,
        total_tokens = r.InputTokens + r.OutputTokens,
        cost_usd = decimal.Parse(r.CostUsd, CultureInfo.InvariantCulture),
    };

    private static JsonNode? ParseJson(string text)
    {
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return JsonValue.Create(text);
        }
    }
}

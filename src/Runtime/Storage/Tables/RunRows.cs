using System.Globalization;
using Azure.Data.Tables;
using Warden.Core.Runs;
using Warden.Core.Serialization;

namespace Warden.Runtime.Storage.Tables;

/// <summary>
/// The rows of <see cref="RunTables.Runs"/>, all in PartitionKey = tenant, told apart by RowKey prefix:
/// <list type="bullet">
/// <item><c>run|{newest}</c>: the run itself (<see cref="TableKeys.Newest"/> of created_at and id), so a range read
/// lists the tenant's runs newest first and a keyset cursor is a RowKey bound.</item>
/// <item><c>id|{run}</c>: a pointer from the id to that key, written once with the run (created_at never changes).</item>
/// <item><c>node|{node}|{newest}</c>: one per node that started in the run, for <c>GET /runs?agent=</c>.</item>
/// </list>
/// </summary>
internal static class RunRows
{
    public const string RunPrefix = "run|";

    public static string PointerKey(string runId) => "id|" + TableKeys.Escape(runId);

    public static string NodePrefix(string nodeId) => "node|" + TableKeys.Escape(nodeId) + TableKeys.Separator;

    public static TableEntity Pointer(string partitionKey, string runId, string newest) =>
        new(partitionKey, PointerKey(runId)) { ["Newest"] = newest };

    public static TableEntity Node(string partitionKey, string nodeId, string newest, string runId) =>
        new(partitionKey, NodePrefix(nodeId) + newest) { ["RunId"] = runId };

    /// <summary>The run before its first decision: running, no state yet.</summary>
    public static TableEntity Created(string partitionKey, RunStart start, string createdAt, string newest)
    {
        var row = new TableEntity(partitionKey, RunPrefix + newest)
        {
            ["RunId"] = start.RunId,
            ["TenantId"] = start.TenantId,
            ["GraphId"] = start.GraphId,
            ["GraphVersion"] = (long)start.GraphVersion,
            ["Status"] = "running",
            ["Version"] = 0L,
            ["EventSeq"] = 0L,
            ["InputTokens"] = 0L,
            ["OutputTokens"] = 0L,
            ["CostUsd"] = "0",
            ["CreatedAt"] = createdAt,
            ["UpdatedAt"] = createdAt,
        };
        LargeText.Write(row, "Input", start.Input);
        LargeText.Write(row, "State", "{}");
        return row;
    }

    /// <summary>The stored row moved to a decision: what the run was created with, and the decision's state.</summary>
    public static TableEntity Decided(TableEntity stored, RunState state, long version, long eventSeq)
    {
        var row = new TableEntity(stored.PartitionKey, stored.RowKey)
        {
            ["RunId"] = stored.GetString("RunId"),
            ["TenantId"] = stored.GetString("TenantId"),
            ["GraphId"] = stored.GetString("GraphId"),
            ["GraphVersion"] = stored.GetInt64("GraphVersion"),
            ["Status"] = state.Status.ToString().ToLowerInvariant(),
            ["Version"] = version,
            ["EventSeq"] = eventSeq,
            ["InputTokens"] = state.Usage.InputTokens,
            ["OutputTokens"] = state.Usage.OutputTokens,
            ["CostUsd"] = state.Usage.CostUsd.ToString(CultureInfo.InvariantCulture),
            ["Error"] = state.Error,
            ["ErrorCode"] = state.ErrorCode,
            ["CreatedAt"] = stored.GetString("CreatedAt"),
            ["UpdatedAt"] = state.UpdatedAt.ToString("O"),
            ["EndedAt"] = state.EndedAt?.ToString("O"),
        };
        LargeText.Write(row, "Input", LargeText.Read(stored, "Input"));
        LargeText.Write(row, "Output", state.Output);
        LargeText.Write(row, "State", WardenJson.Serialize(state));
        return RunTables.WithoutNulls(row);
    }

    public static RunRecord Record(TableEntity row) => new()
    {
        Id = row.GetString("RunId"),
        TenantId = row.GetString("TenantId"),
        GraphId = row.GetString("GraphId"),
        GraphVersion = row.GetInt64("GraphVersion") ?? 0,
        Status = row.GetString("Status"),
        Input = LargeText.Read(row, "Input") ?? "{}",
        Output = LargeText.Read(row, "Output"),
        Error = row.GetString("Error"),
        ErrorCode = row.GetString("ErrorCode"),
        State = LargeText.Read(row, "State") ?? "{}",
        InputTokens = row.GetInt64("InputTokens") ?? 0,
        OutputTokens = row.GetInt64("OutputTokens") ?? 0,
        CostUsd = row.GetString("CostUsd") ?? "0",
        CreatedAt = row.GetString("CreatedAt"),
        UpdatedAt = row.GetString("UpdatedAt"),
        EndedAt = row.GetString("EndedAt"),
    };
}

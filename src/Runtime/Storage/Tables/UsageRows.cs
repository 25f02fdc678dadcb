using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Warden.Core.Runs;

namespace Warden.Runtime.Storage.Tables;

/// <summary>
/// <see cref="RunTables.Usage"/>: PartitionKey = tenant|yyyy-MM-dd (the call's UTC day), RowKey =
/// run|node|visit|attempt|call, so a time range is one PartitionKey range and a repeated attempt rewrites its own rows.
/// An attempt's first time is claimed under tenant|attempts (RowKey run|node|visit|attempt): a retry that runs after
/// midnight reuses it, and its rows land in the same day's partition instead of counting again in the next one.
/// </summary>
internal static class UsageRows
{
    private const string Claims = "attempts";

    public static string DayPartition(string tenantId, DateTimeOffset at) =>
        TableKeys.Escape(tenantId) + TableKeys.Separator + at.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>The time the attempt's usage is recorded at: this one, or the one the first try of the attempt claimed.</summary>
    public static async Task<DateTimeOffset> ClaimAsync(TableClient usage, NodeInvocation invocation, DateTimeOffset at, CancellationToken ct)
    {
        var claim = new TableEntity(TableKeys.Escape(invocation.TenantId) + TableKeys.Separator + Claims, AttemptKey(invocation)) { ["At"] = at.ToString("O") };
        try
        {
            await usage.AddEntityAsync(claim, ct);
            return at;
        }
        catch (RequestFailedException ex) when (RunTables.IsConflict(ex))
        {
            var first = await RunTables.FindAsync(usage, claim.PartitionKey, claim.RowKey, ct);
            return DateTimeOffset.Parse(first!.GetString("At"), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
        }
    }

    public static TableEntity Row(NodeInvocation invocation, int call, ProviderCall c, DateTimeOffset at) =>
        RunTables.WithoutNulls(new TableEntity(DayPartition(invocation.TenantId, at), AttemptKey(invocation) + TableKeys.Separator + TableKeys.Number(call))
        {
            ["RunId"] = invocation.RunId,
            ["NodeId"] = invocation.NodeId,
            ["GraphId"] = invocation.GraphId,
            ["Provider"] = c.Provider,
            ["Model"] = c.Model,
            ["Region"] = c.Region,
            ["InputTokens"] = c.Usage.InputTokens,
            ["OutputTokens"] = c.Usage.OutputTokens,
            ["CostUsd"] = c.Usage.CostUsd.ToString(CultureInfo.InvariantCulture),
            ["LatencyMs"] = c.LatencyMs,
            ["Outcome"] = c.Succeeded ? "success" : c.Retryable ? "retryable_error" : "error",
            ["At"] = at.ToString("O"),
        });

    public static UsageCall Call(TableEntity row) => new()
    {
        NodeId = row.GetString("NodeId"),
        GraphId = row.GetString("GraphId"),
        Provider = row.GetString("Provider"),
        Model = row.GetString("Model"),
        Region = row.GetString("Region"),
        InputTokens = row.GetInt64("InputTokens") ?? 0,
        OutputTokens = row.GetInt64("OutputTokens") ?? 0,
        CostUsd = row.GetString("CostUsd") ?? "0",
        LatencyMs = row.GetInt64("LatencyMs") ?? 0,
        Outcome = row.GetString("Outcome"),
        At = row.GetString("At"),
    };

    private static string AttemptKey(NodeInvocation i) => string.Join(
        TableKeys.Separator,
        TableKeys.Escape(i.RunId),
        TableKeys.Escape(i.NodeId),
        TableKeys.Number(i.Visit),
        TableKeys.Number(i.Attempt));
}

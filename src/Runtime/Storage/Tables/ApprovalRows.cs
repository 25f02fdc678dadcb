using Azure.Data.Tables;

namespace Warden.Runtime.Storage.Tables;

/// <summary>
/// <see cref="RunTables.Approvals"/>: PartitionKey = tenant, RowKey = approval id. One partition read serves
/// <c>GET /approvals</c> (the tenant's pending ones: a Status filter), <c>GET /runs/{id}/approvals</c> (a RunId filter)
/// and the governance summary (a RequestedAt range); a tenant has few enough approvals for that.
/// </summary>
internal static class ApprovalRows
{
    public static TableEntity Requested(string tenantId, string runId, string approvalId, string nodeId, string message, string? deadline, string requestedAt) =>
        RunTables.WithoutNulls(new(TableKeys.Escape(tenantId), TableKeys.Escape(approvalId))
        {
            ["ApprovalId"] = approvalId,
            ["RunId"] = runId,
            ["NodeId"] = nodeId,
            ["Status"] = "pending",
            ["Message"] = message,
            ["Deadline"] = deadline,
            ["Escalated"] = false,
            ["RequestedAt"] = requestedAt,
        });

    public static ApprovalRecord Record(TableEntity row) => new()
    {
        Id = row.GetString("ApprovalId"),
        RunId = row.GetString("RunId"),
        NodeId = row.GetString("NodeId"),
        Status = row.GetString("Status"),
        Message = row.GetString("Message"),
        Deadline = row.GetString("Deadline"),
        Escalated = row.GetBoolean("Escalated") ?? false,
        RequestedAt = row.GetString("RequestedAt"),
        DecidedAt = row.GetString("DecidedAt"),
        DecidedBy = row.GetString("DecidedBy"),
        Comment = row.GetString("Comment"),
    };
}

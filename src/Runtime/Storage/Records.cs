namespace Warden.Runtime.Storage;

// Rows as stored. Timestamps are ISO-8601 UTC strings ("O" format), which sort correctly as text.
public sealed class TenantRecord
{
    public required string Id { get; init; }

    public required string Name { get; init; }

    /// <summary>The operator's own tenant (the first one): its admins may create other tenants.</summary>
    public bool IsPlatform { get; init; }

    public required string CreatedAt { get; init; }
}

public sealed class ApiKeyRecord
{
    public required string Id { get; init; }

    public required string TenantId { get; init; }

    public required string Name { get; init; }

    public required string Prefix { get; init; }

    public required string Role { get; init; }

    public required string CreatedAt { get; init; }

    public string? RevokedAt { get; init; }
}

public sealed class GraphRecord
{
    public required string Id { get; init; }

    public string? Description { get; init; }

    public required long LatestVersion { get; init; }

    public required string CreatedAt { get; init; }

    public required string UpdatedAt { get; init; }
}

public sealed class GraphVersionRecord
{
    public required string GraphId { get; init; }

    public required long Version { get; init; }

    public required string ContentHash { get; init; }

    public required string Format { get; init; }

    public required string Source { get; init; }

    public required string CreatedAt { get; init; }
}

public sealed class RunRecord
{
    public required string Id { get; init; }

    public required string TenantId { get; init; }

    public required string GraphId { get; init; }

    public required long GraphVersion { get; init; }

    public required string Status { get; init; }

    public required string Input { get; init; }

    public string? Output { get; init; }

    public string? Error { get; init; }

    public string? ErrorCode { get; init; }

    public required string State { get; init; }

    public long InputTokens { get; init; }

    public long OutputTokens { get; init; }

    public required string CostUsd { get; init; }

    public required string CreatedAt { get; init; }

    public required string UpdatedAt { get; init; }

    public string? EndedAt { get; init; }
}

public sealed class RunEventRecord
{
    public required string RunId { get; init; }

    public required long Seq { get; init; }

    public required string At { get; init; }

    public required string Type { get; init; }

    public string? NodeId { get; init; }

    public long? Attempt { get; init; }

    public string? Data { get; init; }
}

public sealed class ApprovalRecord
{
    public required string Id { get; init; }

    public required string RunId { get; init; }

    public required string NodeId { get; init; }

    public required string Status { get; init; }

    public required string Message { get; init; }

    public string? Deadline { get; init; }

    public bool Escalated { get; init; }

    public required string RequestedAt { get; init; }

    public string? DecidedAt { get; init; }

    public string? DecidedBy { get; init; }

    public string? Comment { get; init; }
}

/// <summary>A page of rows and the cursor for the next page (null at the end).</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? NextCursor);

/// <param name="Node">Only runs in which this node (agent step) ran.</param>
public sealed record RunQuery(string? GraphId = null, string? Status = null, int Limit = 50, string? Cursor = null, DateTimeOffset? Since = null, DateTimeOffset? Until = null, string? Node = null);

public sealed class AuthenticatedKey
{
    public required string KeyId { get; init; }

    public required string TenantId { get; init; }

    public required string Role { get; init; }

    public bool IsPlatform { get; init; }
}

public sealed class ToolRecord
{
    public required string Name { get; init; }

    public string? Description { get; init; }

    /// <summary>read, write or external: what tool policies are written against.</summary>
    public required string ActionClass { get; init; }

    public string? InputSchema { get; init; }

    /// <summary>Where the tool is called: Warden POSTs the step's input as JSON and takes the reply body as output.</summary>
    public string? Endpoint { get; init; }

    public required string CreatedAt { get; init; }

    public required string UpdatedAt { get; init; }
}

public sealed class AgentRecord
{
    public required string Name { get; init; }

    public string? Description { get; init; }

    public required string Role { get; init; }

    public required string Prompt { get; init; }

    /// <summary>JSON array of tool names of the same tenant.</summary>
    public required string Tools { get; init; }

    public string? Provider { get; init; }

    public string? Model { get; init; }

    public required string CreatedAt { get; init; }

    public required string UpdatedAt { get; init; }
}

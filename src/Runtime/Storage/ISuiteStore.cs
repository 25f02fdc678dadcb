namespace Warden.Runtime.Storage;

/// <summary>Test suites and their immutable versions, and suite runs with their results, per tenant.</summary>
public interface ISuiteStore
{
    /// <summary>Stores a new version unless the latest one has the same content; returns it and whether it is new.</summary>
    Task<(SuiteVersionRecord Version, bool Created)> SaveVersionAsync(string tenantId, string suiteId, string source, string format, CancellationToken ct = default);

    Task<IReadOnlyList<SuiteRecord>> ListAsync(string tenantId, CancellationToken ct = default);

    /// <summary>A version of a suite; the latest when <paramref name="version"/> is null.</summary>
    Task<SuiteVersionRecord?> GetVersionAsync(string tenantId, string suiteId, long? version, CancellationToken ct = default);

    Task CreateRunAsync(string tenantId, SuiteRunRecord run, CancellationToken ct = default);

    /// <summary>Records a suite run's end: its status (passed, failed, error) and the result document.</summary>
    Task FinishRunAsync(string tenantId, string suiteRunId, string status, string result, CancellationToken ct = default);

    /// <summary>
    /// At start-up, on every tenant: suite runs still <c>running</c> were interrupted (their runner lived in the process
    /// that stopped); they end as <c>error</c> with <paramref name="reason"/>. Their case runs are durable and finish.
    /// </summary>
    Task<int> AbandonRunningAsync(string reason, CancellationToken ct = default);

    Task<SuiteRunRecord?> GetRunAsync(string tenantId, string suiteRunId, CancellationToken ct = default);

    /// <summary>Newest first, keyset-paged over (created_at, id).</summary>
    Task<Page<SuiteRunRecord>> ListRunsAsync(string tenantId, string? suiteId, int limit, string? cursor, CancellationToken ct = default);
}

public sealed class SuiteRecord
{
    public required string Id { get; init; }

    public required long LatestVersion { get; init; }

    public required string CreatedAt { get; init; }

    public required string UpdatedAt { get; init; }
}

public sealed class SuiteVersionRecord
{
    public required string SuiteId { get; init; }

    public required long Version { get; init; }

    public required string ContentHash { get; init; }

    public required string Format { get; init; }

    public required string Source { get; init; }

    public required string CreatedAt { get; init; }
}

public sealed class SuiteRunRecord
{
    public required string Id { get; init; }

    public required string SuiteId { get; init; }

    public required long SuiteVersion { get; init; }

    /// <summary>running, passed, failed or error.</summary>
    public required string Status { get; init; }

    /// <summary>The result document (JSON) once the suite run ended.</summary>
    public string? Result { get; init; }

    public required string CreatedAt { get; init; }

    public required string UpdatedAt { get; init; }

    public string? EndedAt { get; init; }
}

namespace Warden.Runtime.Storage.Postgres;

/// <summary>
/// The advisory locks the PostgreSQL store serializes on. Per-tenant and per-graph locks use the two-key form
/// <c>pg_advisory_xact_lock(class, hashtext(...))</c>: the class keeps the kinds apart, and a hash collision only makes
/// two unrelated writers take turns. Everything is transaction-scoped except the migration lock.
/// </summary>
internal static class AdvisoryLocks
{
    /// <summary>Bootstrapping the demo tenant: instances starting together create it once.</summary>
    public const long Bootstrap = 0x5761_7264_656E_0001;

    /// <summary>Class of a tenant's audit chain: appends take turns, so every row links to the head before it.</summary>
    public const int AuditChain = 1;

    /// <summary>Class of a graph's versions: two saves of one graph cannot both take the next version number.</summary>
    public const int GraphVersions = 2;

    /// <summary>Class of a suite's versions, for the same reason.</summary>
    public const int SuiteVersions = 3;

    /// <summary>Class of a graph's release history: two moves of its channels cannot both take the next sequence number.</summary>
    public const int GraphReleases = 4;
}

using Warden.Core.Testing.Assertions;

namespace Warden.Core.Testing;

/// <summary>A behavioural test suite: cases run against one graph, each checked by a list of assertions.</summary>
public sealed record SuiteDefinition(string Name, SuiteGraph Graph, IReadOnlyList<SuiteCase> Cases, string? Description = null);

/// <summary>
/// The graph under test: an uploaded graph's <paramref name="Id"/> (with an optional <paramref name="Version"/>;
/// the latest when absent), or a <paramref name="File"/> relative to the suite, which the runner uploads first.
/// </summary>
public sealed record SuiteGraph(string? Id, long? Version, string? File);

/// <summary>
/// One case: a run input (JSON text), an optional seed, whether approval gates are approved (or rejected)
/// automatically, and the assertions (the suite's default assertions first, then the case's own).
/// </summary>
/// <param name="RunOptions">
/// The case's run options (<c>mock</c> overrides, ...) as a JSON object in the start-run body's shape, checked when
/// the suite is parsed; null when the case has none. Both runners send it as part of the run's start.
/// </param>
public sealed record SuiteCase(string Name, string Input, long? Seed, ApprovalMode Approve, IReadOnlyList<Assertion> Assertions, int Line = 0, string? RunOptions = null);

/// <summary>What the runner does when a case's run asks for an approval.</summary>
public enum ApprovalMode
{
    /// <summary>Leave the request open; the case ends when the run waits (assert <c>status: waiting</c>).</summary>
    Wait,

    Approve,

    Reject,
}

namespace Warden.Core.Testing.Assertions;

/// <summary><c>status: completed|failed|stopped|waiting</c>, optionally with <c>error_code: BUDGET_EXCEEDED</c>.</summary>
public sealed record StatusAssertion(string? Status, string? ErrorCode) : Assertion("status", null)
{
    public static readonly IReadOnlySet<string> Known = new HashSet<string>(StringComparer.Ordinal) { "completed", "failed", "stopped", "waiting", "running", "paused" };

    public override AssertionResult Evaluate(RunObservation run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var statusOk = Status is null || string.Equals(Status, run.Status, StringComparison.Ordinal);
        var codeOk = ErrorCode is null || string.Equals(ErrorCode, run.ErrorCode, StringComparison.Ordinal);
        var expected = string.Join(" ", new[] { Status, ErrorCode is null ? null : $"error_code {ErrorCode}" }.Where(s => s is not null));
        var actual = run.ErrorCode is null ? run.Status : $"{run.Status} error_code {run.ErrorCode}";
        return Result(statusOk && codeOk, expected, actual);
    }
}

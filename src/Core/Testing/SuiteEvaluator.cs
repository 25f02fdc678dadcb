using Warden.Core.Testing.Assertions;

namespace Warden.Core.Testing;

/// <summary>Checks a case's assertions against its finished run: one result per assertion, in suite order.</summary>
public static class SuiteEvaluator
{
    /// <param name="judged">The verdicts on the case's judge assertions, graded by the runner beforehand (see <see cref="JudgeGrading"/>).</param>
    public static CaseResult Evaluate(SuiteCase suiteCase, string runId, RunObservation run, IReadOnlyDictionary<JudgeAssertion, JudgeVerdict>? judged = null)
    {
        ArgumentNullException.ThrowIfNull(suiteCase);
        ArgumentNullException.ThrowIfNull(run);
        var results = suiteCase.Assertions
            .Select(a => a is JudgeAssertion judge ? judge.Grade(judged?.GetValueOrDefault(judge)) : a.Evaluate(run))
            .ToList();
        return new CaseResult(suiteCase.Name, runId, run.Status, results, run.Totals.DurationMs);
    }

    /// <summary>A case whose run could not be started or followed: reported as failed with the reason.</summary>
    public static CaseResult Errored(SuiteCase suiteCase, string? runId, string error)
    {
        ArgumentNullException.ThrowIfNull(suiteCase);
        return new CaseResult(suiteCase.Name, runId, "error", [], 0, error);
    }
}

/// <summary>The verdict on one case. <see cref="Error"/> is set when the run could not be started or followed.</summary>
public sealed record CaseResult(string Name, string? RunId, string Status, IReadOnlyList<AssertionResult> Assertions, long DurationMs, string? Error = null)
{
    public bool Passed => Error is null && Assertions.All(a => a.Passed);

    public IEnumerable<AssertionResult> Failures => Assertions.Where(a => !a.Passed);
}

/// <summary>The verdict on a suite: every case, in suite order.</summary>
public sealed record SuiteResult(string Suite, string GraphId, long? GraphVersion, IReadOnlyList<CaseResult> Cases)
{
    public bool Passed => Cases.All(c => c.Passed);

    public int PassedCases => Cases.Count(c => c.Passed);

    public int FailedCases => Cases.Count(c => !c.Passed);

    public int AssertionCount => Cases.Sum(c => c.Assertions.Count);

    public int FailedAssertions => Cases.Sum(c => c.Failures.Count() + (c.Error is null ? 0 : 1));
}

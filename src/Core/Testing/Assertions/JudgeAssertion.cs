using System.Globalization;

namespace Warden.Core.Testing.Assertions;

/// <summary>
/// <c>judge: {rubric, min_score?, node?, provider?, model?}</c>: a model grades the run's (or a node's) output against
/// the rubric with a score in [0, 1]; the assertion holds when the score is at least <see cref="MinScore"/> (default
/// 0.7). Grading calls a provider, so it is not pure: the runners grade first (<see cref="JudgeGrading"/>) and pass
/// the verdicts to <see cref="SuiteEvaluator.Evaluate"/>, which calls <see cref="Grade"/>.
/// </summary>
public sealed record JudgeAssertion(string Rubric, double MinScore, string? Node, string? Provider, string? Model) : Assertion("judge", Node)
{
    public const double DefaultMinScore = 0.7;

    /// <summary>The text the judge grades: the node's last output, or the run's output.</summary>
    public string? SubjectOf(RunObservation run) => Subject(run);

    /// <summary>Without a verdict (no grader ran) the assertion fails and says so.</summary>
    public override AssertionResult Evaluate(RunObservation run) => Grade(null);

    public AssertionResult Grade(JudgeVerdict? verdict)
    {
        var expected = string.Create(CultureInfo.InvariantCulture, $"score ≥ {MinScore:0.###} for \"{Show(Rubric, 80)}\"");
        return verdict switch
        {
            null => Result(false, expected, "not graded: this runner has no judge"),
            { Error: { } error } => Result(false, expected, $"not graded: {error}"),
            _ => Result(
                verdict.Score >= MinScore,
                expected,
                string.Create(CultureInfo.InvariantCulture, $"{verdict.Score:0.###} by {verdict.Provider}/{verdict.Model}: {Show(verdict.Reason, 140)}")),
        };
    }
}

/// <summary>A judge's grade (score in [0, 1] and why), or why grading failed.</summary>
public sealed record JudgeVerdict(double Score, string Reason, string? Provider = null, string? Model = null, string? Error = null)
{
    public static JudgeVerdict Failed(string error) => new(0, string.Empty, Error: error);
}

/// <summary>Grades a case's judge assertions one by one with a grader the runner supplies (the service or the API).</summary>
public static class JudgeGrading
{
    public static async Task<IReadOnlyDictionary<JudgeAssertion, JudgeVerdict>> GradeAsync(
        SuiteCase suiteCase, RunObservation run, Func<JudgeAssertion, string, CancellationToken, Task<JudgeVerdict>> grade, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(suiteCase);
        ArgumentNullException.ThrowIfNull(grade);
        var verdicts = new Dictionary<JudgeAssertion, JudgeVerdict>();
        foreach (var judge in suiteCase.Assertions.OfType<JudgeAssertion>())
        {
            if (verdicts.ContainsKey(judge))
            {
                continue;
            }

            verdicts[judge] = judge.SubjectOf(run) is { } text
                ? await grade(judge, text, ct)
                : JudgeVerdict.Failed(judge.Node is null ? "the run has no output" : $"node '{judge.Node}' has no output");
        }

        return verdicts;
    }
}

using Warden.Core.Testing;

namespace Warden.Runtime.Testing;

/// <summary>The suite run result document: stored with the suite run and returned by GET /api/v1/suite-runs/{id}.</summary>
public static class SuiteResults
{
    public static object ToWire(SuiteResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return new
        {
            suite = result.Suite,
            graph_id = result.GraphId,
            graph_version = result.GraphVersion,
            passed = result.Passed,
            cases_passed = result.PassedCases,
            cases_failed = result.FailedCases,
            assertions = result.AssertionCount,
            assertions_failed = result.FailedAssertions,
            cases = result.Cases.Select(c => new
            {
                name = c.Name,
                run_id = c.RunId,
                status = c.Status,
                passed = c.Passed,
                duration_ms = c.DurationMs,
                error = c.Error,
                assertions = c.Assertions.Select(a => new { assertion = a.Assertion, passed = a.Passed, expected = a.Expected, actual = a.Actual, line = a.Line }),
            }),
        };
    }
}

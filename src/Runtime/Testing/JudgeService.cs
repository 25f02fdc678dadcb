using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Warden.Core.Costs;
using Warden.Core.Graphs;
using Warden.Core.Runs;
using Warden.Core.Testing.Judge;
using Warden.Runtime.Providers;
using Warden.Runtime.Storage;

namespace Warden.Runtime.Testing;

/// <summary>What to grade: the rubric, the output, and optionally the judge's provider and model.</summary>
public sealed record JudgeRequest(string Rubric, string Output, string? Provider = null, string? Model = null);

/// <summary>A grade in [0, 1] with the judge's reason, who graded, and what the call cost.</summary>
public sealed record JudgeResult(double Score, string Reason, string Provider, string Model, Usage Usage);

/// <summary>The judge could not grade: a bad request (<see cref="BadRequest"/>) or a provider that failed or did not answer with a score.</summary>
public sealed class JudgeException : Exception
{
    public JudgeException(string message, bool badRequest)
        : base(message)
    {
        BadRequest = badRequest;
    }

    public JudgeException()
    {
    }

    public JudgeException(string message)
        : base(message)
    {
    }

    public JudgeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public bool BadRequest { get; }
}

/// <summary>
/// Grades an output against a rubric with a model, through the <see cref="ProviderRouter"/> like any step (retries,
/// region fallback, pricing), and records the call's usage for the tenant in the same usage rows, under graph
/// <see cref="UsageGraph"/>. On the mock provider the grade is deterministic (<see cref="MockJudge"/>).
/// </summary>
public sealed partial class JudgeService(ProviderRouter router, ProviderRegistry providers, IUsageRecorder usage, ILogger<JudgeService> logger)
{
    public const string UsageGraph = "evals.judge";
    public const int MaxOutputChars = 64 * 1024;

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public async Task<JudgeResult> GradeAsync(string tenantId, JudgeRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrWhiteSpace(request.Rubric))
        {
            throw new JudgeException("rubric is required: what the output must do to pass", badRequest: true);
        }

        if (request.Output.Length > MaxOutputChars)
        {
            throw new JudgeException($"output is longer than {MaxOutputChars} characters", badRequest: true);
        }

        var provider = request.Provider ?? MockLlmClient.ProviderName;
        if (!providers.Names.Contains(provider))
        {
            throw new JudgeException($"provider '{provider}' is not configured; configured: {string.Join(", ", providers.Names.Order(StringComparer.Ordinal))}", badRequest: true);
        }

        var model = request.Model ?? (provider == MockLlmClient.ProviderName ? "mock-1"
            : throw new JudgeException($"model is required for provider '{provider}'", badRequest: true));

        // Its own key in the usage rows (run/node/visit/attempt/call), so every grading counts once and no run's rows are touched.
        var inv = new NodeInvocation(
            $"judge_{Guid.NewGuid():N}",
            tenantId,
            UsageGraph,
            "judge",
            1,
            1,
            JudgePrompt.Role,
            JudgePrompt.Build(request.Rubric, request.Output),
            provider,
            model,
            Timeout,
            MockSettings.None,
            0,
            providers.Expand(new ProviderChoice(provider, model, null)).ToList());
        var started = Stopwatch.GetTimestamp();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(Timeout);
        RouteResult route;
        try
        {
            route = await router.CallAsync(inv, limit.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new JudgeException($"the judge ({provider}/{model}) did not answer within {Timeout.TotalSeconds:0}s", badRequest: false);
        }

        await usage.RecordUsageAsync(inv, route.Calls, CancellationToken.None);
        var cost = route.Calls.Aggregate(Usage.Zero, (sum, call) => sum + call.Usage);
        if (route.Response is not { } response)
        {
            throw new JudgeException($"the judge ({provider}/{model}) failed: {route.Failure?.Message}", badRequest: false);
        }

        if (!JudgePrompt.TryParse(response.Text, out var score, out var reason))
        {
            throw new JudgeException($"the judge ({provider}/{model}) answered without a score in [0, 1]: {Clip(response.Text)}", badRequest: false);
        }

        var elapsedMs = (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        LogGraded(logger, tenantId, route.Provider!, response.Model, score, elapsedMs);
        return new JudgeResult(Math.Round(score, 4), reason, route.Provider!, response.Model, cost);
    }

    private static string Clip(string text) => text.Length <= 200 ? text : string.Concat(text.AsSpan(0, 200), "…");

    [LoggerMessage(EventId = 9020, Level = LogLevel.Debug, Message = "Judge graded for tenant {TenantId} on {Provider}/{Model}: {Score} in {ElapsedMs} ms")]
    private static partial void LogGraded(ILogger logger, string tenantId, string provider, string model, double score, long elapsedMs);
}

using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Warden.Core.Serialization;
using Warden.Core.Testing;
using Warden.Runtime.Storage;

namespace Warden.Runtime.Testing;

/// <summary>
/// Runs suite runs in the background of the process that started them (either host) and stores each result when it
/// ends. The cases themselves are durable runs. A process that stops ends its own suite runs as <c>error</c>
/// (<see cref="StopAsync"/>), and they can be started again. The embedded host, which owns its data alone, also ends at
/// start-up what a killed process left running (<see cref="AbandonAtStart"/>); on the Functions host an instance that
/// starts says nothing about the others, which may still be running theirs, so it does not.
/// </summary>
public sealed partial class SuiteRunDispatcher(SuiteRunner runner, ISuiteStore suites, ILogger<SuiteRunDispatcher> logger) : IHostedService, IDisposable
{
    public const string InterruptedReason = "interrupted: the process running this suite run stopped; start it again";

    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<string, Task> _running = new(StringComparer.Ordinal);
    private int _disposed;

    /// <summary>At start-up, end every suite run still marked running: only for a host that is the data's sole process.</summary>
    public bool AbandonAtStart { get; init; } = true;

    public void Start(string tenantId, string suiteRunId, SuiteDefinition suite, int parallel, string? filter)
    {
        var ct = _stopping.Token;
        _running[suiteRunId] = Task.Run(
            async () =>
            {
                try
                {
                    var result = await runner.RunAsync(tenantId, suite, parallel, filter, ct, suiteRunId);
                    await suites.FinishRunAsync(tenantId, suiteRunId, result.Passed ? "passed" : "failed", JsonSerializer.Serialize(SuiteResults.ToWire(result), WardenJson.Options), CancellationToken.None);
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    LogInterrupted(logger, suiteRunId);
                    await suites.FinishRunAsync(tenantId, suiteRunId, "error", JsonSerializer.Serialize(new { error = InterruptedReason }, WardenJson.Options), CancellationToken.None);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    LogFailed(logger, ex, suiteRunId);
                    await suites.FinishRunAsync(tenantId, suiteRunId, "error", JsonSerializer.Serialize(new { error = ex.Message }, WardenJson.Options), CancellationToken.None);
                }
                finally
                {
                    _running.TryRemove(suiteRunId, out _);
                }
            },
            CancellationToken.None);
    }

    /// <summary>Suite runs a previous process left running end as error: their runner is gone.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!AbandonAtStart)
        {
            return;
        }

        var abandoned = await suites.AbandonRunningAsync(InterruptedReason, cancellationToken);
        if (abandoned > 0)
        {
            LogAbandoned(logger, abandoned);
        }
    }

    /// <summary>Stops this process's suite runs and waits (within the host's shutdown time) for each to be stored as ended.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // The container may dispose this singleton before or after the host stops it.
        if (Volatile.Read(ref _disposed) == 0)
        {
            _stopping.Cancel();
        }

        try
        {
            await Task.WhenAll(_running.Values).WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Out of shutdown time: what was not stored ends at the next start of the embedded host.
        }
    }

    /// <summary>Completes when the suite run has ended (or was never running here).</summary>
    public Task WaitAsync(string suiteRunId) => _running.TryGetValue(suiteRunId, out var task) ? task : Task.CompletedTask;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _stopping.Cancel();
            _stopping.Dispose();
        }
    }

    [LoggerMessage(EventId = 9010, Level = LogLevel.Warning, Message = "Suite run {SuiteRunId} was interrupted by shutdown")]
    private static partial void LogInterrupted(ILogger logger, string suiteRunId);

    [LoggerMessage(EventId = 9012, Level = LogLevel.Warning, Message = "{Count} suite run(s) left running by a previous process ended as error")]
    private static partial void LogAbandoned(ILogger logger, int count);

    [LoggerMessage(EventId = 9011, Level = LogLevel.Error, Message = "Suite run {SuiteRunId} failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string suiteRunId);
}

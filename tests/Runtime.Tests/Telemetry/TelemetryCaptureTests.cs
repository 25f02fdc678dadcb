using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Shouldly;
using Warden.Runtime.Telemetry;
using Warden.Runtime.Tests.Support;
using Xunit;

namespace Warden.Runtime.Tests.Telemetry;

/// <summary>The spans and measurements a run produces, caught with in-process listeners (no exporter).</summary>
public sealed class TelemetryCaptureTests
{
    [Fact]
    public async Task Run_EmitsOneSpanPerNodeInTheRunsTrace_AndCountsTokensAndCost()
    {
        var spans = new ConcurrentQueue<Activity>();
        using var activities = new ActivityListener
        {
            ShouldListenTo = source => source.Name == WardenTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(activities);

        var measurements = new ConcurrentQueue<(string Instrument, double Value, Dictionary<string, object?> Tags)>();
        using var meters = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == WardenTelemetry.Name)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        meters.SetMeasurementEventCallback<long>((i, v, tags, _) => measurements.Enqueue((i.Name, v, ToDictionary(tags))));
        meters.SetMeasurementEventCallback<double>((i, v, tags, _) => measurements.Enqueue((i.Name, v, ToDictionary(tags))));
        meters.Start();

        await using var warden = await TestWarden.StartAsync();
        await warden.UploadAsync(Graphs.Sequential(name: "otel-seq", nodes: 3));
        var started = await warden.StartAsync("otel-seq", """{"task":"count"}""");
        (await warden.WaitForEndAsync(started.RunId)).Status.ShouldBe("completed");

        // The run span is recorded just after the run's final commit.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!spans.Any(s => s.OperationName == "invoke_workflow otel-seq" && Tag(s, WardenTelemetry.RunId) == started.RunId) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        var mine = spans.Where(s => Tag(s, WardenTelemetry.RunId) == started.RunId).ToList();
        var nodes = mine.Where(s => s.OperationName.StartsWith("invoke_agent ", StringComparison.Ordinal)).ToList();
        nodes.Select(s => Tag(s, WardenTelemetry.NodeId)).OrderBy(n => n).ShouldBe(["n1", "n2", "n3"]);
        foreach (var node in nodes)
        {
            Tag(node, WardenTelemetry.TenantId).ShouldBe("demo");
            Tag(node, WardenTelemetry.GraphId).ShouldBe("otel-seq");
            Tag(node, WardenTelemetry.OperationName).ShouldBe("invoke_agent");
            Tag(node, WardenTelemetry.ProviderName).ShouldBe("mock");
            Tag(node, WardenTelemetry.RequestModel).ShouldBe("mock-1");
            Tag(node, WardenTelemetry.ResponseModel).ShouldBe("mock-1");
            node.GetTagItem(WardenTelemetry.NodeAttempt).ShouldBe(1);
            ((long)node.GetTagItem(WardenTelemetry.InputTokens)!).ShouldBeGreaterThan(0);
            ((long)node.GetTagItem(WardenTelemetry.OutputTokens)!).ShouldBeGreaterThan(0);
            node.Status.ShouldBe(ActivityStatusCode.Unset);
        }

        // One trace for the whole run, derived from the run id; the run span shares it.
        var trace = WardenTelemetry.RunContext(started.RunId).TraceId;
        mine.ShouldAllBe(s => s.TraceId == trace);
        mine.Count(s => s.OperationName == "invoke_workflow otel-seq").ShouldBe(1);

        // Each node's provider call is a GenAI client span under the node's span.
        var chats = mine.Where(s => s.OperationName == "chat mock-1").ToList();
        chats.Count.ShouldBe(3);
        chats.ShouldAllBe(c => c.Kind == ActivityKind.Client && nodes.Any(n => n.SpanId == c.ParentSpanId));

        // No prompt text anywhere in the attributes.
        mine.SelectMany(s => s.TagObjects).ShouldAllBe(t => !(t.Value is string && ((string)t.Value!).Contains("count", StringComparison.Ordinal)));

        var snapshot = measurements.ToList();
        snapshot.Where(m => m.Instrument == "warden.tokens" && Equals(m.Tags[WardenTelemetry.ProviderName], "mock")).Sum(m => m.Value).ShouldBeGreaterThan(0);
        snapshot.Where(m => m.Instrument == "warden.cost" && Equals(m.Tags[WardenTelemetry.TenantId], "demo")).Sum(m => m.Value).ShouldBeGreaterThan(0);
        snapshot.ShouldContain(m => m.Instrument == "warden.node.executions" && Equals(m.Tags[WardenTelemetry.GraphId], "otel-seq") && Equals(m.Tags[WardenTelemetry.Outcome], "succeeded"));
        snapshot.ShouldContain(m => m.Instrument == "warden.runs.started" && Equals(m.Tags[WardenTelemetry.GraphId], "otel-seq"));
        snapshot.ShouldContain(m => m.Instrument == "warden.runs.finished" && Equals(m.Tags[WardenTelemetry.GraphId], "otel-seq") && Equals(m.Tags[WardenTelemetry.RunStatus], "completed"));
        snapshot.ShouldContain(m => m.Instrument == "warden.run.duration" && Equals(m.Tags[WardenTelemetry.GraphId], "otel-seq"));
        snapshot.ShouldContain(m => m.Instrument == "gen_ai.client.operation.duration" && Equals(m.Tags[WardenTelemetry.ProviderName], "mock"));
    }

    [Fact]
    public async Task FailedNode_SpanHasErrorStatusAndFailedOutcome()
    {
        var spans = new ConcurrentQueue<Activity>();
        using var activities = new ActivityListener
        {
            ShouldListenTo = source => source.Name == WardenTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(activities);

        await using var warden = await TestWarden.StartAsync();
        await warden.UploadAsync(Graphs.Sequential(name: "otel-fail", nodes: 1, mock: "{ fail_first_attempts: 5 }", retry: "retries: 0"));
        var started = await warden.StartAsync("otel-fail");
        (await warden.WaitForEndAsync(started.RunId)).Status.ShouldBe("failed");

        var node = spans.Where(s => Tag(s, WardenTelemetry.RunId) == started.RunId && s.OperationName == "invoke_agent n1").ShouldHaveSingleItem();
        node.Status.ShouldBe(ActivityStatusCode.Error);
        node.StatusDescription.ShouldNotBeNullOrWhiteSpace();
        Tag(node, WardenTelemetry.Outcome).ShouldNotBe("succeeded");
    }

    [Fact]
    public void RunContext_IsDeterministicPerRunId()
    {
        WardenTelemetry.RunContext("run-a").ShouldBe(WardenTelemetry.RunContext("run-a"));
        WardenTelemetry.RunContext("run-a").TraceId.ShouldNotBe(WardenTelemetry.RunContext("run-b").TraceId);
    }

    private static string? Tag(Activity activity, string name) => activity.GetTagItem(name) as string;

    private static Dictionary<string, object?> ToDictionary(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var result = new Dictionary<string, object?>();
        foreach (var tag in tags)
        {
            result[tag.Key] = tag.Value;
        }

        return result;
    }
}

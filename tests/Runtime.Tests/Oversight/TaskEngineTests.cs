using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;
using Warden.Core.Oversight.Tasks;
using Warden.Runtime.Engine;
using Warden.Runtime.Storage;
using Warden.Runtime.Tests.Support;
using Xunit;

namespace Warden.Runtime.Tests.Oversight;

/// <summary>Oversight tasks on the embedded engine: durable ack timers on a controlled clock, and the tenant timeline.</summary>
public sealed class TaskEngineTests
{
    [Fact]
    public async Task Task_NeverAcked_RetriedThreeTimesThenEscalated()
    {
        var clock = new ManualClock(DateTimeOffset.Parse("2026-04-01T09:00:00Z", CultureInfo.InvariantCulture));
        await using var warden = await TestWarden.StartAsync(clock: clock);
        var task = await warden.Engine.CreateTaskAsync("demo", "check the refund", "agent-7", null, "operator:test");
        var store = warden.Services.GetRequiredService<ITaskStore>();
        var seen = new List<int>();

        for (var i = 0; i < 4; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(31));
            var expected = i < 3 ? i + 1 : 3;
            var status = i < 3 ? OversightStatus.Assigned : OversightStatus.Escalated;
            var state = await WaitAsync(store, task.Id, s => s.Retries == expected && s.Status == status);
            seen.Add(state.Retries);
        }

        seen.ShouldBe([1, 2, 3, 3]);
        var escalated = (await store.ListAsync("demo", "escalated")).ShouldHaveSingleItem();
        escalated.EscalationReason!.ShouldContain("retried 3 times");
        var timeline = await warden.Runs.ListEventsAsync("demo", task.Id, 0, 100);
        timeline.Select(e => e.Type).ShouldBe(["task.created", "task.assigned", "task.retried", "task.retried", "task.retried", "task.escalated"]);
    }

    [Fact]
    public async Task Task_AckedInTime_NoRetryAndWrongAgentIsRefused()
    {
        var clock = new ManualClock(DateTimeOffset.Parse("2026-04-01T09:00:00Z", CultureInfo.InvariantCulture));
        await using var warden = await TestWarden.StartAsync(clock: clock);
        var task = await warden.Engine.CreateTaskAsync("demo", "label the dataset", "agent-7", null, "operator:test");

        await Should.ThrowAsync<InvalidTaskTransitionException>(() => warden.Engine.ApplyTaskAsync("demo", task.Id, new TaskEvent.Ack("agent-9")));
        var acked = await warden.Engine.ApplyTaskAsync("demo", task.Id, new TaskEvent.Ack("agent-7"));
        clock.Advance(TimeSpan.FromMinutes(5));
        await Task.Delay(300); // a wrongly kept ack timer would fire within the writer's 100 ms poll
        var after = await warden.Services.GetRequiredService<ITaskStore>().GetAsync("demo", task.Id);

        acked.Status.ShouldBe(OversightStatus.Acked);
        after!.Status.ShouldBe(OversightStatus.Acked);
        after.Retries.ShouldBe(0);
        await Should.ThrowAsync<NotFoundException>(() => warden.Engine.ApplyTaskAsync("other-tenant", task.Id, new TaskEvent.Start("agent-7")));
    }

    private static async Task<OversightTaskState> WaitAsync(ITaskStore store, string id, Func<OversightTaskState, bool> condition)
    {
        OversightTaskState? state = null;
        for (var i = 0; i < 100; i++)
        {
            state = await store.GetAsync("demo", id);
            if (state is not null && condition(state))
            {
                return state;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"task {id} is {state?.Status} with {state?.Retries} retries");
    }
}

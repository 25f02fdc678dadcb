using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Shouldly;
using Warden.Runtime.Storage;
using Warden.Runtime.Testing;
using Warden.Runtime.Tests.Support;
using Xunit;

namespace Warden.Runtime.Tests.Testing;

public sealed class SuiteRunDispatcherTests
{
    [Theory]
    [InlineData(true, "error")]    // the embedded host: the data's only process, so a running suite run was interrupted
    [InlineData(false, "running")] // a Functions instance: another instance may still be running it
    public async Task StartAsync_SuiteRunMarkedRunning_EndedOnlyWhereTheHostIsTheDatasOnlyProcess(bool abandonAtStart, string expected)
    {
        // Arrange: a suite run some process left running
        await using var warden = await TestWarden.StartAsync();
        var store = warden.Services.GetRequiredService<ISuiteStore>();
        var now = DateTimeOffset.UtcNow.ToString("O");
        await store.CreateRunAsync("demo", new SuiteRunRecord { Id = "srun_left", SuiteId = "smoke", SuiteVersion = 1, Status = "running", CreatedAt = now, UpdatedAt = now });
        using var dispatcher = new SuiteRunDispatcher(
            warden.Services.GetRequiredService<SuiteRunner>(), store, warden.Services.GetRequiredService<ILogger<SuiteRunDispatcher>>())
        {
            AbandonAtStart = abandonAtStart,
        };

        // Act
        await dispatcher.StartAsync(CancellationToken.None);

        // Assert
        (await store.GetRunAsync("demo", "srun_left"))!.Status.ShouldBe(expected);
    }
}

using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;
using Warden.Runtime.Providers;
using Warden.Runtime.Storage;
using Warden.Runtime.Testing;
using Warden.Runtime.Tests.Providers;
using Warden.Runtime.Tests.Support;
using Xunit;

namespace Warden.Runtime.Tests.Testing;

/// <summary>The judge through the real provider router: on the mock, and on a loopback server speaking OpenAI's chat completions.</summary>
public sealed class JudgeServiceTests
{
    [Fact]
    public async Task GradeAsync_OnMock_ScoresRubricKeywordsAndRecordsTenantUsage()
    {
        // Arrange
        await using var warden = await TestWarden.StartAsync();
        await warden.Tenants.CreateTenantAsync("other", "Other");
        var judge = warden.Services.GetRequiredService<JudgeService>();
        var since = DateTimeOffset.UtcNow.AddMinutes(-1);

        // Act
        var pass = await judge.GradeAsync("demo", new JudgeRequest("mentions the rollback and the restart", "Restart the web tier; rollback if errors rise."), CancellationToken.None);
        var fail = await judge.GradeAsync("demo", new JudgeRequest("mentions the rollback and the restart", "Restart the web tier."), CancellationToken.None);

        // Assert
        pass.Score.ShouldBe(1);
        fail.Score.ShouldBe(0.5);
        fail.Reason.ShouldContain("missing: rollback");
        (pass.Provider, pass.Model).ShouldBe(("mock", "mock-1"));
        pass.Usage.TotalTokens.ShouldBeGreaterThan(0);
        var rows = await warden.Usage.GroupAsync("demo", since, DateTimeOffset.UtcNow.AddMinutes(1), UsageGrouping.Graph);
        rows.ShouldHaveSingleItem().Key.ShouldBe(JudgeService.UsageGraph);
        rows[0].Calls.ShouldBe(2);
        (await warden.Usage.GroupAsync("other", since, DateTimeOffset.UtcNow.AddMinutes(1), UsageGrouping.Graph)).ShouldBeEmpty();
    }

    [Fact]
    public async Task GradeAsync_OpenAiWire_SendsRubricAndOutputAndParsesScore()
    {
        // Arrange
        await using var server = await FakeProviderServer.StartAsync();
        server.Reply = ctx => FakeProviderServer.Respond(ctx, 200, OpenAiLlmClientTests.Completion(JsonSerializer.Serialize("""{"score": 0.9, "reason": "names the OPS ticket"}"""), "null", "stop", 120, 14));
        await using var warden = await TestWarden.StartAsync(services: s => s.AddSingleton<ILlmClient>(new OpenAiLlmClient("sk-test", new Uri(server.BaseUrl, "/v1"))));
        var judge = warden.Services.GetRequiredService<JudgeService>();

        // Act
        var grade = await judge.GradeAsync("demo", new JudgeRequest("names the OPS ticket", "Filed OPS-42.", "openai", "gpt-4o-mini"), CancellationToken.None);

        // Assert
        grade.Score.ShouldBe(0.9);
        grade.Reason.ShouldBe("names the OPS ticket");
        grade.Provider.ShouldBe("openai");
        grade.Usage.InputTokens.ShouldBe(120);
        grade.Usage.CostUsd.ShouldBeGreaterThan(0m);
        var request = server.Received.ShouldHaveSingleItem();
        request.Path.ShouldBe("/v1/chat/completions");
        var user = request.Json.GetProperty("messages")[1].GetProperty("content").ToString();
        user.ShouldContain("<rubric>\nnames the OPS ticket\n</rubric>");
        user.ShouldContain("<output>\nFiled OPS-42.\n</output>");
        request.Json.GetProperty("messages")[0].GetProperty("content").ToString().ShouldContain("judge");
    }

    [Fact]
    public async Task GradeAsync_ReplyWithoutScore_FailsAsJudgeErrorAndStillCountsUsage()
    {
        // Arrange
        await using var server = await FakeProviderServer.StartAsync();
        server.Reply = ctx => FakeProviderServer.Respond(ctx, 200, OpenAiLlmClientTests.Completion(JsonSerializer.Serialize("Looks fine to me."), "null", "stop", 50, 5));
        await using var warden = await TestWarden.StartAsync(services: s => s.AddSingleton<ILlmClient>(new OpenAiLlmClient("sk-test", new Uri(server.BaseUrl, "/v1"))));
        var judge = warden.Services.GetRequiredService<JudgeService>();

        // Act
        var ex = await Should.ThrowAsync<JudgeException>(() => judge.GradeAsync("demo", new JudgeRequest("r", "o", "openai", "gpt-4o-mini"), CancellationToken.None));

        // Assert
        ex.BadRequest.ShouldBeFalse();
        ex.Message.ShouldContain("without a score");
        (await warden.Usage.SummaryAsync("demo", DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1))).Calls.ShouldBe(1);
    }

    [Theory]
    [InlineData("", "mock", null, "rubric is required")]
    [InlineData("r", "nope", null, "provider 'nope' is not configured")]
    [InlineData("r", "openai", null, "model is required")]
    public async Task GradeAsync_BadRequest_SaysWhat(string rubric, string provider, string? model, string message)
    {
        // Arrange
        await using var server = await FakeProviderServer.StartAsync();
        await using var warden = await TestWarden.StartAsync(services: s => s.AddSingleton<ILlmClient>(new OpenAiLlmClient("sk-test", new Uri(server.BaseUrl, "/v1"))));

        // Act
        var ex = await Should.ThrowAsync<JudgeException>(() => warden.Services.GetRequiredService<JudgeService>().GradeAsync("demo", new JudgeRequest(rubric, "o", provider, model), CancellationToken.None));

        // Assert
        ex.BadRequest.ShouldBeTrue();
        ex.Message.ShouldContain(message);
        server.Received.ShouldBeEmpty();
    }
}

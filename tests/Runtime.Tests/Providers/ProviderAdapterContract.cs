using System.Diagnostics;
using System.Text.Json;
using Shouldly;
using Warden.Core.Costs;
using Warden.Core.Runs;
using Warden.Runtime.Execution;
using Warden.Runtime.Providers;
using Xunit;

namespace Warden.Runtime.Tests.Providers;

/// <summary>
/// What every real adapter must do, run once per adapter against a local server speaking that provider's wire format.
/// Subclasses supply the wire format; the facts here are inherited and run for each.
/// </summary>
public abstract class ProviderAdapterContract : IAsyncLifetime
{
    /// <summary>Distinctive so a leak anywhere in a message or stack trace is unmistakable.</summary>
    protected const string ApiKey = "sk-test-9f2c-DO-NOT-LEAK-4b7e";

    protected FakeProviderServer Server { get; private set; } = null!;

    /// <summary>The model the node asks for.</summary>
    protected abstract string NodeModel { get; }

    /// <summary>The model the provider should see on the wire (differs for Azure deployments).</summary>
    protected virtual string WireModel => NodeModel;

    protected abstract string ExpectedPath { get; }

    protected abstract ILlmClient CreateClient(Uri baseUrl);

    protected abstract string SuccessBody(string text, int inputTokens, int outputTokens);

    protected abstract string ErrorBody(string type, string message);

    protected abstract void ShouldBeAuthenticated(ReceivedRequest request);

    /// <summary>The system and user prompt as sent.</summary>
    protected abstract (string System, string User) PromptsOf(JsonElement body);

    protected abstract long MaxTokensOf(JsonElement body);

    private readonly List<ILlmClient> _clients = [];

    public async Task InitializeAsync() => Server = await FakeProviderServer.StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var client in _clients.OfType<IDisposable>())
        {
            client.Dispose();
        }

        await Server.DisposeAsync();
    }

    /// <summary>A client pointed at the fake server (or <paramref name="baseUrl"/>), disposed with the test.</summary>
    protected ILlmClient NewClient(Uri? baseUrl = null)
    {
        var client = CreateClient(baseUrl ?? Server.BaseUrl);
        _clients.Add(client);
        return client;
    }

    [Fact]
    public async Task Complete_Success_ReturnsTextAndUsage_AndSendsModelPromptAndKey()
    {
        Server.Reply = ctx => FakeProviderServer.Respond(ctx, 200, SuccessBody("1. Find a site. 2. Hire a baker.", 42, 9));
        var client = NewClient();

        var response = await client.CompleteAsync(Request(), CancellationToken.None);

        response.Text.ShouldBe("1. Find a site. 2. Hire a baker.");
        response.InputTokens.ShouldBe(42);
        response.OutputTokens.ShouldBe(9);
        response.Model.ShouldBe(NodeModel);
        var sent = Server.Received.ShouldHaveSingleItem();
        sent.Method.ShouldBe("POST");
        sent.Path.ShouldBe(ExpectedPath);
        ShouldBeAuthenticated(sent);
        sent.Json.GetProperty("model").GetString().ShouldBe(WireModel);
        var (system, user) = PromptsOf(sent.Json);
        system.ShouldContain("planner agent");
        user.ShouldBe("Plan the launch of a small bakery.");
        MaxTokensOf(sent.Json).ShouldBe(AgentPrompts.DefaultMaxOutputTokens);
    }

    [Fact]
    public async Task Complete_429WithRetryAfter_IsRetryableWithRetryAfter_AndNotRetriedBySdk()
    {
        Server.Reply = ctx => FakeProviderServer.Respond(ctx, 429, ErrorBody("rate_limit_error", "Slow down."), ("Retry-After", "7"));

        var ex = await FailAsync();

        ex.Retryable.ShouldBeTrue();
        ex.StatusCode.ShouldBe(429);
        ex.RetryAfter.ShouldBe(TimeSpan.FromSeconds(7));
        ex.Message.ShouldContain("Slow down.");
        Server.Received.Count.ShouldBe(1, "SDK retries must be off; the router retries");
    }

    [Fact]
    public async Task Complete_500_IsRetryable_AndNotRetriedBySdk()
    {
        Server.Reply = ctx => FakeProviderServer.Respond(ctx, 500, ErrorBody("server_error", "Something broke."));

        var ex = await FailAsync();

        ex.Retryable.ShouldBeTrue();
        ex.StatusCode.ShouldBe(500);
        ex.RetryAfter.ShouldBeNull();
        Server.Received.Count.ShouldBe(1, "SDK retries must be off; the router retries");
    }

    [Fact]
    public async Task Complete_400_IsNotRetryable()
    {
        Server.Reply = ctx => FakeProviderServer.Respond(ctx, 400, ErrorBody("invalid_request_error", "max_tokens is too large."));

        var ex = await FailAsync();

        ex.Retryable.ShouldBeFalse();
        ex.StatusCode.ShouldBe(400);
        ex.Message.ShouldContain("max_tokens is too large.");
    }

    [Fact]
    public async Task Complete_401EchoingTheKey_IsNotRetryable_AndNeverShowsTheKey()
    {
        Server.Reply = ctx => FakeProviderServer.Respond(ctx, 401, ErrorBody("authentication_error", $"Incorrect API key provided: {ApiKey}."));

        var ex = await FailAsync();

        ex.Retryable.ShouldBeFalse();
        ex.StatusCode.ShouldBe(401);
        ex.Message.ShouldContain("Incorrect API key provided");
        ex.ToString().ShouldNotContain(ApiKey);
    }

    [Fact]
    public async Task Complete_404_IsNotRetryable()
    {
        Server.Reply = ctx => FakeProviderServer.Respond(ctx, 404, ErrorBody("not_found_error", "model: no-such-model"));

        var ex = await FailAsync();

        ex.Retryable.ShouldBeFalse();
        ex.StatusCode.ShouldBe(404);
    }

    [Theory]
    [InlineData("{\"id\": \"x\", \"choices\": [ {\"mess")]
    [InlineData("")]
    [InlineData("{}")]
    [InlineData("[]")]
    [InlineData("\"hello\"")]
    [InlineData("{\"choices\": [], \"content\": 5}")]
    public async Task Complete_UnreadableBodyOnSuccess_IsRetryableUnreadable(string body)
    {
        Server.Reply = ctx => FakeProviderServer.Respond(ctx, 200, body);

        var ex = await FailAsync();

        ex.Retryable.ShouldBeTrue();
        ex.StatusCode.ShouldBe(200);
        ex.Message.ShouldContain("not the expected JSON");
    }

    [Fact]
    public async Task Complete_MalformedJsonOn503_IsRetryableWithStatus()
    {
        Server.Reply = ctx => FakeProviderServer.Respond(ctx, 503, "<html>upstream connect error</html>");

        var ex = await FailAsync();

        ex.Retryable.ShouldBeTrue();
        ex.StatusCode.ShouldBe(503);
        ex.Message.ShouldNotContain("<html>");
    }

    [Fact]
    public async Task Complete_ConnectionRefused_IsRetryableWithoutStatus()
    {
        var client = NewClient(FakeProviderServer.UnusedUrl());

        var ex = await Should.ThrowAsync<LlmException>(() => client.CompleteAsync(Request(), CancellationToken.None));

        ex.Retryable.ShouldBeTrue();
        ex.StatusCode.ShouldBeNull();
        ex.ToString().ShouldNotContain(ApiKey);
    }

    [Fact]
    public async Task Execute_SlowReplyPastNodeTimeout_FailsRetryableAsTimeout()
    {
        Server.Reply = ctx => FakeProviderServer.RespondSlowly(ctx, TimeSpan.FromSeconds(20), SuccessBody("too late", 1, 1));
        var client = NewClient();
        var executor = new NodeExecutor(new ProviderRouter(new ProviderRegistry([client]), PriceTable.Default, TimeProvider.System, retriesPerProvider: 0));
        var started = Stopwatch.StartNew();

        var result = await executor.ExecuteAsync(FakeProviderServer.Invocation(client.Name, NodeModel, timeout: TimeSpan.FromMilliseconds(300)), CancellationToken.None);

        var failed = result.Event.ShouldBeOfType<NodeFailed>();
        failed.Retryable.ShouldBeTrue();
        failed.Error.ShouldContain("timed out");
        started.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Complete_CallerCancels_ThrowsOperationCanceled()
    {
        Server.Reply = ctx => FakeProviderServer.RespondSlowly(ctx, TimeSpan.FromSeconds(20), SuccessBody("too late", 1, 1));
        var client = NewClient();
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Should.ThrowAsync<OperationCanceledException>(() => client.CompleteAsync(Request(), cts.Token));
    }

    protected LlmRequest Request(string role = "planner")
    {
        var inv = FakeProviderServer.Invocation("test", NodeModel, role);
        return new LlmRequest(inv.Model, inv.Role, inv.Prompt, inv);
    }

    protected async Task<LlmException> FailAsync()
    {
        var client = NewClient();
        var ex = await Should.ThrowAsync<LlmException>(() => client.CompleteAsync(Request(), CancellationToken.None));
        ex.ToString().ShouldNotContain(ApiKey);
        return ex;
    }

    /// <summary>Message content is a string or a list of text parts, depending on the SDK.</summary>
    protected static string TextOf(JsonElement content) => content.ValueKind == JsonValueKind.String
        ? content.GetString()!
        : string.Concat(content.EnumerateArray().Select(p => p.GetProperty("text").GetString()));
}

using System.Text.Json;
using Shouldly;
using Warden.Runtime.Providers;
using Xunit;

namespace Warden.Runtime.Tests.Providers;

/// <summary>Anthropic Messages wire format: POST /v1/messages, the key as a bearer token, anthropic-version, content blocks, usage.</summary>
public sealed class AnthropicLlmClientTests : ProviderAdapterContract
{
    protected override string NodeModel => "claude-haiku-4-5";

    protected override string ExpectedPath => "/v1/messages";

    protected override ILlmClient CreateClient(Uri baseUrl) => new AnthropicLlmClient(ApiKey, baseUrl);

    protected override string SuccessBody(string text, int inputTokens, int outputTokens) =>
        Message($$"""[{ "type": "text", "text": {{JsonSerializer.Serialize(text)}} }]""", "end_turn", inputTokens, outputTokens);

    protected override string ErrorBody(string type, string message) =>
        JsonSerializer.Serialize(new { type = "error", error = new { type, message } });

    protected override void ShouldBeAuthenticated(ReceivedRequest request)
    {
        // SDK 13.x sends an API key as "Authorization: Bearer" (its ClientOptions.ApiKey docs), not x-api-key.
        request.Header("Authorization").ShouldBe($"Bearer {ApiKey}");
        request.Header("anthropic-version").ShouldNotBeNullOrEmpty();
    }

    protected override (string System, string User) PromptsOf(JsonElement body)
    {
        var messages = body.GetProperty("messages");
        messages.GetArrayLength().ShouldBe(1);
        messages[0].GetProperty("role").GetString().ShouldBe("user");
        return (TextOf(body.GetProperty("system")), TextOf(messages[0].GetProperty("content")));
    }

    protected override long MaxTokensOf(JsonElement body) => body.GetProperty("max_tokens").GetInt64();

    [Fact]
    public async Task Complete_Refusal_IsNotRetryable()
    {
        Server.Reply = ctx => FakeProviderServer.Respond(ctx, 200, Message("[]", "refusal", 10, 0));

        var ex = await FailAsync();

        ex.Retryable.ShouldBeFalse();
        ex.Message.ShouldContain("refused");
    }

    [Fact]
    public async Task Complete_529Overloaded_IsRetryableWithRetryAfter()
    {
        Server.Reply = ctx => FakeProviderServer.Respond(ctx, 529, ErrorBody("overloaded_error", "Overloaded"), ("Retry-After", "3"));

        var ex = await FailAsync();

        ex.Retryable.ShouldBeTrue();
        ex.StatusCode.ShouldBe(529);
        ex.RetryAfter.ShouldBe(TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task Complete_CacheTokens_CountAsInput()
    {
        Server.Reply = ctx => FakeProviderServer.Respond(ctx, 200, Message("""[{ "type": "text", "text": "ok" }]""", "end_turn", 10, 4, cacheCreation: 100, cacheRead: 1000));
        var client = NewClient();

        var response = await client.CompleteAsync(Request(), CancellationToken.None);

        response.InputTokens.ShouldBe(1110);
        response.OutputTokens.ShouldBe(4);
    }

    /// <summary>A message as the API returns it; <paramref name="content"/> is a JSON array of blocks.</summary>
    private static string Message(string content, string stopReason, int inputTokens, int outputTokens, int cacheCreation = 0, int cacheRead = 0) => $$"""
        {
          "id": "msg_01",
          "type": "message",
          "role": "assistant",
          "model": "claude-haiku-4-5-20251001",
          "content": {{content}},
          "stop_reason": "{{stopReason}}",
          "stop_sequence": null,
          "usage": { "input_tokens": {{inputTokens}}, "output_tokens": {{outputTokens}}, "cache_creation_input_tokens": {{cacheCreation}}, "cache_read_input_tokens": {{cacheRead}} }
        }
        """;
}

using System.Text.Json;
using Shouldly;
using Warden.Runtime.Providers;
using Xunit;

namespace Warden.Runtime.Tests.Providers;

/// <summary>OpenAI chat completions wire format: POST /v1/chat/completions, bearer key, choices[0].message, usage.*_tokens.</summary>
public sealed class OpenAiLlmClientTests : ProviderAdapterContract
{
    protected override string NodeModel => "gpt-4o-mini";

    protected override string ExpectedPath => "/v1/chat/completions";

    protected override ILlmClient CreateClient(Uri baseUrl) => new OpenAiLlmClient(ApiKey, new Uri(baseUrl, "/v1"));

    protected override string SuccessBody(string text, int inputTokens, int outputTokens) =>
        Completion(JsonSerializer.Serialize(text), "null", "stop", inputTokens, outputTokens);

    protected override string ErrorBody(string type, string message) =>
        JsonSerializer.Serialize(new { error = new { message, type, param = (string?)null, code = (string?)null } });

    protected override void ShouldBeAuthenticated(ReceivedRequest request) => request.Header("Authorization").ShouldBe($"Bearer {ApiKey}");

    protected override (string System, string User) PromptsOf(JsonElement body)
    {
        var messages = body.GetProperty("messages");
        messages.GetArrayLength().ShouldBe(2);
        messages[0].GetProperty("role").GetString().ShouldBe("system");
        messages[1].GetProperty("role").GetString().ShouldBe("user");
        return (TextOf(messages[0].GetProperty("content")), TextOf(messages[1].GetProperty("content")));
    }

    protected override long MaxTokensOf(JsonElement body) => body.GetProperty("max_completion_tokens").GetInt64();

    [Fact]
    public async Task Complete_ContentFilterFinish_IsNotRetryable()
    {
        Server.Reply = ctx => FakeProviderServer.Respond(ctx, 200, Completion("null", "null", "content_filter", 10, 0));

        var ex = await FailAsync();

        ex.Retryable.ShouldBeFalse();
        ex.Message.ShouldContain("content filter");
    }

    [Fact]
    public async Task Complete_Refusal_IsNotRetryable()
    {
        Server.Reply = ctx => FakeProviderServer.Respond(ctx, 200, Completion("null", "\"I can't help with that.\"", "stop", 10, 5));

        var ex = await FailAsync();

        ex.Retryable.ShouldBeFalse();
        ex.Message.ShouldContain("refused");
    }

    [Fact]
    public async Task Complete_RetryAfterMs_IsPreferredForPrecision()
    {
        Server.Reply = ctx => FakeProviderServer.Respond(ctx, 429, ErrorBody("rate_limit_exceeded", "Slow down."), ("Retry-After", "1"), ("Retry-After-Ms", "250"));

        var ex = await FailAsync();

        ex.RetryAfter.ShouldBe(TimeSpan.FromMilliseconds(250));
    }

    /// <summary>A chat.completion as the API returns it; <paramref name="content"/> and <paramref name="refusal"/> are JSON literals.</summary>
    internal static string Completion(string content, string refusal, string finishReason, int inputTokens, int outputTokens) => $$"""
        {
          "id": "chatcmpl-123",
          "object": "chat.completion",
          "created": 1735689600,
          "model": "gpt-4o-mini-2024-07-18",
          "choices": [
            {
              "index": 0,
              "message": { "role": "assistant", "content": {{content}}, "refusal": {{refusal}} },
              "logprobs": null,
              "finish_reason": "{{finishReason}}"
            }
          ],
          "usage": { "prompt_tokens": {{inputTokens}}, "completion_tokens": {{outputTokens}}, "total_tokens": {{inputTokens + outputTokens}} },
          "system_fingerprint": "fp_test"
        }
        """;
}

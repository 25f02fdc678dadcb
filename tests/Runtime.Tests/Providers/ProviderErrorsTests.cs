using System.Text.Json;
using Shouldly;
using Warden.Runtime.Providers;
using Xunit;

namespace Warden.Runtime.Tests.Providers;

public sealed class ProviderErrorsTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(null, "7", 7000)]
    [InlineData(null, "0.5", 500)]
    [InlineData("1500", "7", 1500)]
    [InlineData(null, "Thu, 01 Jan 2026 12:00:30 GMT", 30000)]
    [InlineData(null, "Thu, 01 Jan 2026 11:00:00 GMT", 0)]
    public void ParseRetryAfter_ReadsMillisecondsSecondsOrDate(string? ms, string after, int expectedMs)
    {
        ProviderErrors.ParseRetryAfter(ms, after, Now).ShouldBe(TimeSpan.FromMilliseconds(expectedMs));
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData(null, "soon")]
    [InlineData(null, "-3")]
    public void ParseRetryAfter_MissingOrUnreadable_IsNull(string? ms, string? after)
    {
        ProviderErrors.ParseRetryAfter(ms, after, Now).ShouldBeNull();
    }

    [Theory]
    [InlineData(408, true)]
    [InlineData(409, true)]
    [InlineData(429, true)]
    [InlineData(500, true)]
    [InlineData(503, true)]
    [InlineData(529, true)]
    [InlineData(400, false)]
    [InlineData(401, false)]
    [InlineData(403, false)]
    [InlineData(404, false)]
    [InlineData(422, false)]
    public void IsRetryable_FollowsTheStatusClass(int status, bool retryable)
    {
        ProviderErrors.IsRetryable(status).ShouldBe(retryable);
    }

    [Fact]
    public void FromStatus_LongOrUnstructuredBodies_AreShortenedOrDropped()
    {
        ProviderErrors.FromStatus("p", 500, "<html>" + new string('x', 5000), null, null).Message.ShouldBe("p: HTTP 500");
        var longMessage = JsonSerializer.Serialize(new { error = new { message = new string('y', 1000) } });
        ProviderErrors.FromStatus("p", 400, longMessage, null, null).Message.Length.ShouldBeLessThan(400);
    }
}

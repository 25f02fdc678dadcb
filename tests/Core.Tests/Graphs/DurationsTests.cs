using FsCheck;
using FsCheck.Fluent;
using Shouldly;
using Warden.Core.Graphs;
using Xunit;

namespace Warden.Core.Tests.Graphs;

public class DurationsTests
{
    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("30s", 30_000)]
    [InlineData("5m", 300_000)]
    [InlineData("2h", 7_200_000)]
    [InlineData("1d", 86_400_000)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("1s500ms", 1_500)]
    [InlineData("  45s ", 45_000)]
    [InlineData("0s", 0)]
    [InlineData("365d", 31_536_000_000)]
    public void TryParse_ValidText_ReturnsDuration(string text, long expectedMs)
    {
        // Act
        var ok = Durations.TryParse(text, out var value);

        // Assert
        ok.ShouldBeTrue();
        value.ShouldBe(TimeSpan.FromMilliseconds(expectedMs));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("5 minutes")]
    [InlineData("5")]
    [InlineData("m")]
    [InlineData("1.5h")]
    [InlineData("-5s")]
    [InlineData("5M")]
    [InlineData("1h 30m")]
    [InlineData("366d")]
    [InlineData("99999999999999999999s")]
    public void TryParse_InvalidText_ReturnsFalse(string? text)
    {
        // Act
        var ok = Durations.TryParse(text, out var value);

        // Assert
        ok.ShouldBeFalse();
        value.ShouldBe(TimeSpan.Zero);
    }

    [Theory]
    [InlineData(0, "0s")]
    [InlineData(500, "500ms")]
    [InlineData(1_500, "1s500ms")]
    [InlineData(60_000, "1m")]
    [InlineData(5_400_000, "1h30m")]
    [InlineData(93_600_000, "1d2h")]
    public void Format_Duration_WritesCompactText(long ms, string expected)
    {
        // Act
        var text = Durations.Format(TimeSpan.FromMilliseconds(ms));

        // Assert
        text.ShouldBe(expected);
    }

    [Fact]
    public void Format_ThenTryParse_RoundTripsWholeMilliseconds()
    {
        // Arrange
        var maxMs = (long)TimeSpan.FromDays(365).TotalMilliseconds;
        var arb = Gen.Choose(0, int.MaxValue).Two()
            .Select(t => ((long)t.Item1 * int.MaxValue + t.Item2) % (maxMs + 1))
            .ToArbitrary();

        // Act + Assert
        Prop.ForAll(arb, ms =>
        {
            var value = TimeSpan.FromMilliseconds(ms);
            return Durations.TryParse(Durations.Format(value), out var parsed) && parsed == value;
        }).QuickCheckThrowOnFailure();
    }
}

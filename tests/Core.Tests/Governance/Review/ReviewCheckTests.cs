using Shouldly;
using Warden.Core.Governance.Review;
using Xunit;

namespace Warden.Core.Tests.Governance.Review;

public class ReviewCheckTests
{
    private static readonly ReviewSource[] Sources =
    [
        new("1", "https://stats.example.org/report-2024", "Annual report"),
        new("2", "https://news.example.com/market"),
    ];

    [Fact]
    public void Check_EveryClaimCitesAKnownSource_Pass()
    {
        // Arrange
        const string output = "Revenue grew 12% in 2024 [1]. The market share rose to 31.5% according to analysts [2].\nOverall, this looks healthy.";

        // Act
        var result = ReviewCheck.Check(Sources, output);

        // Assert
        result.Verdict.ShouldBe(ReviewVerdict.Pass);
        result.Reasons.ShouldBeEmpty();
    }

    [Fact]
    public void Check_CitationToMissingSource_ReviseNamingTheMarker()
    {
        // Arrange
        const string output = "Revenue grew 12% in 2024 [3].";

        // Act
        var result = ReviewCheck.Check(Sources, output);

        // Assert
        result.Verdict.ShouldBe(ReviewVerdict.Revise);
        var reason = result.Reasons.ShouldHaveSingleItem();
        reason.Code.ShouldBe(ReviewReasonCodes.UnknownSource);
        output.Substring(reason.Start, reason.Length).ShouldBe("[3]");
    }

    [Fact]
    public void Check_UncitedClaim_ReviseWithTheSentence()
    {
        // Arrange
        const string output = "Revenue grew 12% in 2024 [1]. A 2023 survey found that 40% of buyers churned.";

        // Act
        var result = ReviewCheck.Check(Sources, output);

        // Assert
        result.Verdict.ShouldBe(ReviewVerdict.Revise);
        var reason = result.Reasons.ShouldHaveSingleItem();
        reason.Code.ShouldBe(ReviewReasonCodes.UncitedClaim);
        output.Substring(reason.Start, reason.Length).ShouldBe("A 2023 survey found that 40% of buyers churned.");
    }

    [Fact]
    public void Check_UncitedClaimsWithinTolerance_PassButListed()
    {
        // Act
        var result = ReviewCheck.Check(Sources, "Sales fell 8% last year.", new ReviewOptions(MaxUncitedClaims: 1));

        // Assert
        result.Verdict.ShouldBe(ReviewVerdict.Pass);
        result.Reasons.ShouldHaveSingleItem().Code.ShouldBe(ReviewReasonCodes.UncitedClaim);
    }

    [Fact]
    public void Check_SecretInOutput_BlockWithoutQuotingIt()
    {
        // Arrange
        const string output = "Use AKIAIOSFODNN7EXAMPLE to deploy [1].";

        // Act
        var result = ReviewCheck.Check(Sources, output);

        // Assert
        result.Verdict.ShouldBe(ReviewVerdict.Block);
        var reason = result.Reasons.ShouldHaveSingleItem();
        reason.Code.ShouldBe(ReviewReasonCodes.SensitivePii);
        reason.Detail.ShouldNotContain("AKIA");
    }

    [Fact]
    public void Check_CitationOnItsOwnAfterTheSentence_CountsForThatSentence()
    {
        // Act + Assert
        ReviewCheck.Check(Sources, "Revenue grew 12% in 2024. [1]").Verdict.ShouldBe(ReviewVerdict.Pass);
    }

    [Fact]
    public void Check_MultipleCitationsInOneMarker_EachChecked()
    {
        // Act
        var result = ReviewCheck.Check(Sources, "Both reports agree on 12% growth [1, 2, 5].");

        // Assert
        result.Reasons.ShouldHaveSingleItem().Detail.ShouldStartWith("[5]");
    }

    [Theory]
    [InlineData("Is growth above 10% this year?")]
    [InlineData("We recommend a phased rollout.")]
    [InlineData("Step 1: open the settings page.")]
    [InlineData("# Results for 2024")]
    [InlineData("```\nvar total = items[0] + 42;\n```")]
    public void Check_NonClaims_Pass(string output)
    {
        // Act + Assert
        ReviewCheck.Check(Sources, output).Verdict.ShouldBe(ReviewVerdict.Pass);
    }

    [Fact]
    public void Check_NoSourcesGiven_UncitedClaimsNotFlagged()
    {
        // Act + Assert
        ReviewCheck.Check([], "Revenue grew 12% in 2024.").Verdict.ShouldBe(ReviewVerdict.Pass);
    }

    [Fact]
    public void Check_IndexingInCode_NotACitation()
    {
        // Act + Assert
        ReviewCheck.Check(Sources, "The value items[7] holds the total of 42 orders [1].").Verdict.ShouldBe(ReviewVerdict.Pass);
    }
}

using Shouldly;
using Warden.Core.Releases;
using Xunit;

namespace Warden.Core.Tests.Releases;

public class ReleaseHistoryTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);

    /// <summary>Plays a script of moves ("release s1", "candidate s2", "rollback", "rollback s1") and returns the history, newest first.</summary>
    private static List<ReleaseEntry> Play(params string[] moves)
    {
        var history = new List<ReleaseEntry>();
        foreach (var move in moves)
        {
            var parts = move.Split(' ');
            ChannelMove? next = parts[0] switch
            {
                "release" => ReleaseHistory.Release(history, ReleaseHistory.Active, parts[1]),
                "candidate" => ReleaseHistory.Release(history, ReleaseHistory.Candidate, parts[1]),
                _ => ReleaseHistory.RollBack(history, parts.Length > 1 ? parts[1] : null).Move,
            };
            if (next is not null)
            {
                var channel = parts[0] == "candidate" ? ReleaseHistory.Candidate : ReleaseHistory.Active;
                history.Insert(0, new ReleaseEntry(history.Count + 1, channel, next.SnapshotId, next.Kind, next.Previous, "admin:k", null, At));
            }
        }

        return history;
    }

    [Theory]
    [InlineData("s1", "release s1")]
    [InlineData("s2", "release s1", "release s2")]
    [InlineData("s1", "release s1", "release s2", "rollback")]
    [InlineData("s1", "release s1", "release s2", "release s3", "rollback", "rollback")]
    [InlineData("s2", "release s1", "release s2", "release s3", "rollback s2")]
    [InlineData("s1", "release s1", "candidate s2")]
    [InlineData("s3", "release s1", "release s2", "rollback", "release s3")]
    public void Current_AfterMoves_IsWhereActivePoints(string expected, params string[] moves)
    {
        // Act
        var history = Play(moves);

        // Assert
        ReleaseHistory.Current(history, ReleaseHistory.Active).ShouldBe(expected);
    }

    [Fact]
    public void RollBack_Twice_GoesBackTwoReleasesNotBackAndForth()
    {
        // Arrange
        var history = Play("release s1", "release s2", "release s3", "rollback");

        // Act
        var (move, refusal) = ReleaseHistory.RollBack(history, null);

        // Assert
        refusal.ShouldBeNull();
        move!.SnapshotId.ShouldBe("s1");
        move.Kind.ShouldBe(ReleaseHistory.RollbackKind);
    }

    [Theory]
    [InlineData("the graph has no active release to roll back")]
    [InlineData("replaced nothing", "release s1")]
    [InlineData("replaced nothing", "release s1", "release s2", "rollback")]
    [InlineData("replaced nothing", "candidate s2", "release s1")]
    public void RollBack_NothingEarlier_RefusesWithAReason(string reason, params string[] moves)
    {
        // Act
        var (move, refusal) = ReleaseHistory.RollBack(Play(moves), null);

        // Assert
        move.ShouldBeNull();
        refusal!.ShouldContain(reason);
    }

    [Fact]
    public void RollBack_ToTheActiveSnapshot_Refuses()
    {
        // Act
        var (move, refusal) = ReleaseHistory.RollBack(Play("release s1", "release s2"), "s2");

        // Assert
        move.ShouldBeNull();
        refusal!.ShouldContain("already active");
    }

    [Fact]
    public void Release_SameSnapshotAgain_IsNoMove()
    {
        // Act + Assert
        ReleaseHistory.Release(Play("release s1"), ReleaseHistory.Active, "s1").ShouldBeNull();
        ReleaseHistory.Release(Play("release s1"), ReleaseHistory.Candidate, "s1").ShouldNotBeNull();
    }

    [Fact]
    public void SnapshotHash_ToolOrderDiffers_SameIdentity()
    {
        // Arrange
        var a = new SnapshotContent("g", 2, "abc", [new FrozenTool("jira", "write", "http://j", null, null), new FrozenTool("docs", "read", null, null, null)], []);
        var b = a with { Tools = [.. a.Tools.Reverse()] };

        // Act + Assert
        b.Hash().ShouldBe(a.Hash());
        b.Id().ShouldBe(a.Id());
        a.Id().ShouldStartWith("snap_");
    }

    [Fact]
    public void SnapshotHash_ToolEndpointChanges_NewIdentity()
    {
        // Arrange
        var a = new SnapshotContent("g", 2, "abc", [new FrozenTool("jira", "write", "http://j", null, null)], []);

        // Act
        var changed = a with { Tools = [new FrozenTool("jira", "write", "http://elsewhere", null, null)] };

        // Assert
        changed.Id().ShouldNotBe(a.Id());
        (a with { GraphVersion = 3 }).Id().ShouldNotBe(a.Id());
    }
}

using Shouldly;
using Warden.Core.Audit;
using Xunit;

namespace Warden.Core.Tests.Audit;

public class AuditChainTests
{
    private const string PinnedHash = "f8072f9f3ab6c29919cc65aeb532ec272b2423bfa7dda6948561615fa9e55f95";
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>Five linked rows of tenant t1, one second apart.</summary>
    private static List<AuditEntry> Chain(int length = 5)
    {
        var rows = new List<AuditEntry>();
        for (var i = 0; i < length; i++)
        {
            var head = rows.Count == 0 ? null : new AuditHead(rows[^1].Seq, rows[^1].Hash);
            rows.Add(AuditChain.Next(head, T0.AddSeconds(i), "t1", $"operator:key_{i % 2}", i % 2 == 0 ? "run.started" : "approval.decided", $"run_{i}", AuditChain.HashPayload($"{{\"n\":{i}}}")));
        }

        return rows;
    }

    [Fact]
    public void Next_EmptyChain_FirstRowLinksToGenesis()
    {
        // Act
        var first = AuditChain.Next(null, T0, "t1", "admin:k", "graph.uploaded", "g", AuditChain.HashPayload("{}"));

        // Assert
        first.Seq.ShouldBe(1);
        first.PrevHash.ShouldBe(new string('0', 64));
        first.Hash.ShouldMatch("^[0-9a-f]{64}$");
        first.Hash.ShouldBe(AuditChain.ComputeHash(first));
    }

    [Fact]
    public void Next_AfterHead_TakesNextSeqAndLinksToHeadHash()
    {
        // Arrange
        var first = AuditChain.Next(null, T0, "t1", "admin:k", "graph.uploaded", "g", AuditChain.HashPayload("{}"));

        // Act
        var second = AuditChain.Next(new AuditHead(first.Seq, first.Hash), T0.AddSeconds(1), "t1", "admin:k", "run.started", "run_1", AuditChain.HashPayload("{}"));

        // Assert
        second.Seq.ShouldBe(2);
        second.PrevHash.ShouldBe(first.Hash);
        AuditChain.Verify([first, second]).ShouldBe(AuditVerification.Intact(2, new AuditHead(2, second.Hash)));
    }

    [Fact]
    public void ComputeHash_KnownRow_MatchesPinnedValue()
    {
        // Arrange: a stored chain must keep verifying after any refactoring, so the hashed form is pinned.
        var entry = new AuditEntry(7, T0, "acme", "reviewer:key_1", "approval.decided", "apr_1", AuditChain.HashPayload("{\"decision\":\"approve\"}"), AuditChain.GenesisHash, string.Empty);

        // Act
        var canonical = AuditChain.Canonical(entry);
        var hash = AuditChain.ComputeHash(entry);

        // Assert
        canonical.ShouldBe(
            "warden-audit-v1\n1:7\n33:2026-03-01T12:00:00.0000000+00:00\n4:acme\n14:reviewer:key_1\n16:approval.decided\n5:apr_1\n64:"
            + AuditChain.HashPayload("{\"decision\":\"approve\"}") + "\n64:" + AuditChain.GenesisHash + "\n");
        hash.ShouldBe(PinnedHash);
    }

    [Fact]
    public void ComputeHash_FieldBoundaryMoved_DiffersForSameConcatenation()
    {
        // Arrange: "ab" + "c" and "a" + "bc" concatenate alike; the length prefixes keep them apart.
        var left = new AuditEntry(1, T0, "t1", "ab", "c", "x", "p", AuditChain.GenesisHash, string.Empty);
        var right = left with { Actor = "a", Action = "bc" };

        // Act + Assert
        AuditChain.ComputeHash(left).ShouldNotBe(AuditChain.ComputeHash(right));
    }

    [Fact]
    public void ComputeHash_SameInstantInAnotherOffset_SameHash()
    {
        // Arrange
        var utc = AuditChain.Next(null, T0, "t1", "a", "b", "c", "p");
        var local = utc with { At = T0.ToOffset(TimeSpan.FromHours(2)) };

        // Act + Assert
        AuditChain.ComputeHash(local).ShouldBe(utc.Hash);
    }

    [Fact]
    public void Verify_EmptyChain_OkWithNoHead()
    {
        AuditChain.Verify([]).ShouldBe(AuditVerification.Intact(0, null));
    }

    [Fact]
    public void Verify_IntactChain_OkWithEveryRowAndTheHead()
    {
        // Arrange
        var rows = Chain();

        // Act
        var result = AuditChain.Verify(rows);

        // Assert
        result.Ok.ShouldBeTrue();
        result.Entries.ShouldBe(5);
        result.Head.ShouldBe(new AuditHead(5, rows[^1].Hash));
    }

    /// <summary>Row 3 of 5 with one field changed: verify names row 3 (its seq as stored) and says why.</summary>
    [Theory]
    [InlineData("seq", 30L, AuditBreak.SeqGap)]
    [InlineData("at", 3L, AuditBreak.HashMismatch)]
    [InlineData("tenant_id", 3L, AuditBreak.HashMismatch)]
    [InlineData("actor", 3L, AuditBreak.HashMismatch)]
    [InlineData("action", 3L, AuditBreak.HashMismatch)]
    [InlineData("target", 3L, AuditBreak.HashMismatch)]
    [InlineData("payload_hash", 3L, AuditBreak.HashMismatch)]
    [InlineData("prev_hash", 3L, AuditBreak.BrokenLink)]
    [InlineData("hash", 3L, AuditBreak.HashMismatch)]
    public void Verify_OneFieldOfRow3Changed_BrokenAtRow3(string field, long brokenAt, AuditBreak kind)
    {
        // Arrange
        var rows = Chain();
        var row = rows[2];
        rows[2] = field switch
        {
            "seq" => row with { Seq = 30 },
            "at" => row with { At = row.At.AddTicks(1) },
            "tenant_id" => row with { TenantId = "t2" },
            "actor" => row with { Actor = "admin:forged" },
            "action" => row with { Action = "run.controlled" },
            "target" => row with { Target = "run_99" },
            "payload_hash" => row with { PayloadHash = AuditChain.HashPayload("{\"n\":99}") },
            "prev_hash" => row with { PrevHash = rows[0].Hash },
            "hash" => row with { Hash = AuditChain.GenesisHash },
            _ => throw new ArgumentOutOfRangeException(nameof(field)),
        };

        // Act
        var result = AuditChain.Verify(rows);

        // Assert
        result.Ok.ShouldBeFalse();
        result.BrokenAt.ShouldBe(brokenAt);
        result.Break.ShouldBe(kind);
        result.Entries.ShouldBe(2);
        result.Reason.ShouldNotBeNullOrWhiteSpace();
    }

    [Fact]
    public void Verify_RowChangedAndRehashed_BrokenAtTheNextRowsLink()
    {
        // Arrange: the forger recomputes row 3's hash; row 4 still carries the old one.
        var rows = Chain();
        rows[2] = AuditChain.Link(rows[2].PrevHash, rows[2] with { Actor = "admin:forged" });

        // Act
        var result = AuditChain.Verify(rows);

        // Assert
        result.BrokenAt.ShouldBe(4);
        result.Break.ShouldBe(AuditBreak.BrokenLink);
        result.Reason.ShouldBe("prev_hash does not match the hash of seq 3");
    }

    [Theory]
    [InlineData(0, 2L)]
    [InlineData(2, 4L)]
    public void Verify_RowDeleted_BrokenAtTheRowAfterIt(int deleted, long brokenAt)
    {
        // Arrange
        var rows = Chain();
        rows.RemoveAt(deleted);

        // Act
        var result = AuditChain.Verify(rows);

        // Assert
        result.BrokenAt.ShouldBe(brokenAt);
        result.Break.ShouldBe(AuditBreak.SeqGap);
        result.Reason.ShouldBe($"seq {brokenAt} found where seq {deleted + 1} was expected: a row was deleted, inserted or reordered");
    }

    [Fact]
    public void Verify_LastRowDeleted_StillVerifiesButTheHeadMoves()
    {
        // Arrange: a cut tail is invisible to the chain itself; only a head kept elsewhere reveals it.
        var rows = Chain();
        var anchored = new AuditHead(rows[^1].Seq, rows[^1].Hash);
        rows.RemoveAt(rows.Count - 1);

        // Act
        var result = AuditChain.Verify(rows);

        // Assert
        result.Ok.ShouldBeTrue();
        result.Head.ShouldNotBe(anchored);
    }

    [Fact]
    public void Verify_TwoRowsSwapped_BrokenAtTheFirstPosition()
    {
        // Arrange
        var rows = Chain();
        (rows[1], rows[2]) = (rows[2], rows[1]);

        // Act
        var result = AuditChain.Verify(rows);

        // Assert
        result.BrokenAt.ShouldBe(3);
        result.Break.ShouldBe(AuditBreak.SeqGap);
    }

    [Fact]
    public void Verify_ContentsOfTwoRowsSwappedKeepingSeqs_BrokenAtTheFirst()
    {
        // Arrange: rows 2 and 3 trade everything but their seq, as an UPDATE of the stored rows would.
        var rows = Chain();
        var (two, three) = (rows[1], rows[2]);
        rows[1] = three with { Seq = 2 };
        rows[2] = two with { Seq = 3 };

        // Act
        var result = AuditChain.Verify(rows);

        // Assert
        result.BrokenAt.ShouldBe(2);
        result.Break.ShouldBe(AuditBreak.BrokenLink);
    }

    [Fact]
    public void Verify_RowInsertedWithASeqAlreadyUsed_BrokenWhereTheSeqRepeats()
    {
        // Arrange: a forged row 3, correctly linked to row 2, pushed in before the real row 3.
        var rows = Chain();
        var forged = AuditChain.Next(new AuditHead(2, rows[1].Hash), T0.AddSeconds(2), "t1", "admin:forged", "budget.set", "tenant", "p");
        rows.Insert(2, forged);

        // Act
        var result = AuditChain.Verify(rows);

        // Assert
        result.BrokenAt.ShouldBe(3);
        result.Entries.ShouldBe(3);
        result.Break.ShouldBe(AuditBreak.SeqGap);
    }

    [Fact]
    public void Verify_RowInsertedAndLaterSeqsRenumbered_BrokenAtTheFirstRenumberedRow()
    {
        // Arrange: the forger renumbers rows 3..5 to 4..6 but cannot rehash them without rewriting the rest.
        var rows = Chain();
        var forged = AuditChain.Next(new AuditHead(2, rows[1].Hash), T0.AddSeconds(2), "t1", "admin:forged", "budget.set", "tenant", "p");
        var tail = rows.Skip(2).Select(r => r with { Seq = r.Seq + 1 }).ToList();
        rows = [.. rows.Take(2), forged, .. tail];

        // Act
        var result = AuditChain.Verify(rows);

        // Assert
        result.BrokenAt.ShouldBe(4);
        result.Break.ShouldBe(AuditBreak.BrokenLink);
    }
}

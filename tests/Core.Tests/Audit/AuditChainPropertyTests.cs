using FsCheck;
using FsCheck.Fluent;
using Shouldly;
using Warden.Core.Audit;
using Xunit;

namespace Warden.Core.Tests.Audit;

/// <summary>A chain of <see cref="Length"/> rows and one change: <see cref="Field"/> of row <see cref="Index"/> becomes something else.</summary>
public sealed record AuditTamper(int Length, int Index, string Field, string Text, long Delta, int Seed)
{
    public override string ToString() => $"{Length} rows, row {Index + 1}.{Field} <- '{Text}' / {Delta:+#;-#}";
}

/// <summary>Properties of the chain over random logs and random single-field changes.</summary>
public class AuditChainPropertyTests
{
    private static readonly Config Config = Config.QuickThrowOnFailure.WithMaxTest(1_000);
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly string[] Fields = ["seq", "at", "tenant_id", "actor", "action", "target", "payload_hash", "prev_hash", "hash"];

    /// <summary>Any text, including empty strings, separators and non-ASCII letters.</summary>
    private static Gen<string> Text { get; } =
        Gen.Frequency(
            (6, Gen.Choose(32, 126)),
            (1, Gen.Elements(10, 58, 0xE9, 0x416, 0x4E2D)))
        .Select(c => (char)c).ArrayOf().Select(chars => new string(chars));

    private static Arbitrary<AuditTamper> Tampers { get; } =
        (from length in Gen.Choose(1, 30)
         from index in Gen.Choose(0, length - 1)
         from field in Gen.Elements(Fields)
         from text in Text
         from delta in Gen.Choose(-1_000_000, 1_000_000).Where(d => d != 0)
         from seed in Gen.Choose(0, int.MaxValue)
         select new AuditTamper(length, index, field, text, delta, seed)).ToArbitrary();

    /// <summary>A valid chain whose contents vary with the seed: actors, actions, targets and times differ row to row.</summary>
    private static List<AuditEntry> Chain(int length, int seed)
    {
        var random = new Random(seed);
        var rows = new List<AuditEntry>(length);
        var at = T0;
        for (var i = 0; i < length; i++)
        {
            at = at.AddMilliseconds(random.Next(0, 5_000));
            var head = rows.Count == 0 ? null : new AuditHead(rows[^1].Seq, rows[^1].Hash);
            rows.Add(AuditChain.Next(
                head,
                at,
                "tenant-" + random.Next(0, 2),
                $"operator:key_{random.Next(0, 4)}",
                random.Next(0, 3) switch { 0 => "run.started", 1 => "approval.decided", _ => "budget.set" },
                $"run_{random.Next()}",
                AuditChain.HashPayload($"{{\"n\":{random.Next()}}}")));
        }

        return rows;
    }

    /// <summary>The row with one field given a different value (a text that happens to equal the old value gets a mark appended).</summary>
    private static AuditEntry Change(AuditEntry row, AuditTamper t)
    {
        string Other(string old) => t.Text == old ? old + "!" : t.Text;
        return t.Field switch
        {
            "seq" => row with { Seq = row.Seq + t.Delta },
            "at" => row with { At = row.At.AddTicks(t.Delta) },
            "tenant_id" => row with { TenantId = Other(row.TenantId) },
            "actor" => row with { Actor = Other(row.Actor) },
            "action" => row with { Action = Other(row.Action) },
            "target" => row with { Target = Other(row.Target) },
            "payload_hash" => row with { PayloadHash = Other(row.PayloadHash) },
            "prev_hash" => row with { PrevHash = Other(row.PrevHash) },
            "hash" => row with { Hash = Other(row.Hash) },
            _ => throw new ArgumentOutOfRangeException(nameof(t)),
        };
    }

    [Fact]
    public void Verify_AnySingleFieldChangedAnywhere_DetectedAtExactlyThatRow()
    {
        // Arrange + Act + Assert
        Prop.ForAll(Tampers, t =>
        {
            var rows = Chain(t.Length, t.Seed);
            rows[t.Index] = Change(rows[t.Index], t);

            var result = AuditChain.Verify(rows);

            result.Ok.ShouldBeFalse(t.ToString());
            result.BrokenAt.ShouldBe(rows[t.Index].Seq, t.ToString());
            result.Entries.ShouldBe(t.Index, t.ToString());
        }).Check(Config);
    }

    [Fact]
    public void Verify_AnyChainBuiltByNext_IsIntactWithItsLastRowAsHead()
    {
        // Arrange + Act + Assert
        Prop.ForAll(Tampers, t =>
        {
            var rows = Chain(t.Length, t.Seed);

            var result = AuditChain.Verify(rows);

            result.ShouldBe(AuditVerification.Intact(t.Length, new AuditHead(t.Length, rows[^1].Hash)));
        }).Check(Config);
    }
}

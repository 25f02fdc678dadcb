using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Shouldly;
using Warden.Runtime.Storage;
using Xunit;

namespace Warden.Cli.Tests.EndToEnd;

/// <summary>The audit chain on the real `warden serve` process and the real `warden audit` commands.</summary>
public sealed class AuditEndToEndTests
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "warden-e2e-audit-" + Guid.NewGuid().ToString("N")[..10]);

    [Fact]
    public async Task AuditVerify_RowTamperedInDbFileAfterStop_ExitsOneNamingTheRow()
    {
        // Arrange: a few state-changing requests against the real server.
        using (var server = await WardenServer.StartAsync(_dataDir))
        {
            await server.UploadAsync("""
                name: audited
                nodes:
                  - { id: a, role: researcher, prompt: "a {{input.task}}" }
                """);
            await server.WaitForEndAsync(await server.StartRunAsync("audited"));
            await server.WaitForEndAsync(await server.StartRunAsync("audited"));
            (await server.Http.PutAsync("/api/v1/budgets/tenant", new StringContent("""{"max_cost_usd":10}""", Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
            var remote = await RunCliAsync("audit", "verify", "--server", server.Http.BaseAddress!.ToString(), "--api-key", WardenServer.Key);
            var list = await RunCliAsync("audit", "list", "--action", "run.*", "--server", server.Http.BaseAddress!.ToString(), "--api-key", WardenServer.Key);
            var verified = await server.Http.PostAsync("/api/v1/audit/verify", null);

            remote.Exit.ShouldBe(0, remote.Output);
            remote.Output.ShouldContain("audit chain: ok, 4 entries");
            list.Exit.ShouldBe(0, list.Output);
            list.Output.ShouldContain("run.started");
            list.Output.ShouldNotContain("budget.set");
            (await verified.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("entries").GetInt64().ShouldBe(4);
            server.Kill();
        }

        var intact = await RunCliAsync("audit", "verify", "--data-dir", _dataDir);
        Tamper(seq: 3, column: "target", value: "run_forged");

        // Act
        var broken = await RunCliAsync("audit", "verify", "--data-dir", _dataDir);

        // Assert
        intact.Exit.ShouldBe(0, intact.Output);
        intact.Output.ShouldContain("audit chain of tenant 'demo': ok, 4 entries");
        broken.Exit.ShouldBe(1, broken.Output);
        broken.Output.ShouldContain("audit chain of tenant 'demo': broken at seq 3 (hash_mismatch)");
        broken.Output.Trim().Split('\n').Length.ShouldBe(1, broken.Output);
    }

    [Fact]
    public async Task AuditVerify_NoDataDirectory_ExitsTwoNamingIt()
    {
        var missing = await RunCliAsync("audit", "verify", "--data-dir", _dataDir);

        missing.Exit.ShouldBe(2);
        missing.Output.ShouldContain("no Warden data in");
    }

    /// <summary>Rewrites one audit row the way someone holding the file could: triggers dropped, value changed.</summary>
    private void Tamper(long seq, string column, string value)
    {
        using var connection = new SqliteDatabase(_dataDir).Open();
        using var drop = connection.CreateCommand();
        drop.CommandText = "DROP TRIGGER IF EXISTS audit_log_no_update;";
        drop.ExecuteNonQuery();
        using var update = connection.CreateCommand();
        update.CommandText = $"UPDATE audit_log SET {column} = $value WHERE tenant_id = 'demo' AND seq = $seq";
        update.Parameters.AddWithValue("$value", value);
        update.Parameters.AddWithValue("$seq", seq);
        update.ExecuteNonQuery().ShouldBe(1);
    }

    private static async Task<(int Exit, string Output)> RunCliAsync(params string[] args)
    {
        using var process = WardenProcess.Start(null, args);
        var exit = await process.WaitForExitAsync(TimeSpan.FromMinutes(1));
        return (exit, process.Output);
    }
}

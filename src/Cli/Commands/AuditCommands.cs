using System.Text.Json;
using Spectre.Console;
using Warden.Cli.Client;
using Warden.Core.Serialization;
using Warden.Runtime.Api;
using Warden.Runtime.Storage;
using Warden.Runtime.Storage.Sqlite;

namespace Warden.Cli.Commands;

/// <summary>
/// `audit verify` and `audit list`: through the API with --server (the key's tenant), else read-only from the local
/// store, where the operator owns the file and verify checks every tenant's chain.
/// </summary>
public static class AuditCommands
{
    public sealed record ListArgs(string? Action, string? Actor, string? Target, int Limit, string? Tenant);

    /// <returns>0 when every chain checked is intact, 1 when one is broken (with one line naming the row).</returns>
    public static async Task<int> VerifyAsync(Target target, string? tenant, IAnsiConsole console, CancellationToken ct)
    {
        if (target.IsRemote)
        {
            RejectTenant(tenant);
            using var client = target.Connect();
            return Report(console, null, await client.VerifyAuditAsync(ct));
        }

        var log = new SqliteAuditLog(OpenLocal(target), TimeProvider.System);
        var tenants = tenant is null ? await log.TenantsAsync(ct) : [tenant];
        if (tenants.Count == 0)
        {
            console.WriteLine("audit: no rows yet; nothing to verify");
            return 0;
        }

        foreach (var id in tenants)
        {
            if (Report(console, id, ToJson(AuditResponses.Verification(await log.VerifyAsync(id, ct)))) != 0)
            {
                return 1;
            }
        }

        return 0;
    }

    public static async Task<int> ListAsync(Target target, ListArgs args, IAnsiConsole console, CancellationToken ct)
    {
        if (args.Limit is < 1 or > 500)
        {
            throw new CliException("--limit must be from 1 to 500", 2);
        }

        JsonElement page;
        if (target.IsRemote)
        {
            RejectTenant(args.Tenant);
            using var client = target.Connect();
            page = await client.ListAuditAsync(args.Action, args.Actor, args.Target, args.Limit, ct);
        }
        else
        {
            var log = new SqliteAuditLog(OpenLocal(target), TimeProvider.System);
            var result = await log.QueryAsync(args.Tenant ?? SqliteTenantStore.DemoTenant, new AuditQuery(args.Action, args.Actor, args.Target, Limit: args.Limit), ct);
            page = ToJson(new { items = result.Items.Select(AuditResponses.Entry) });
        }

        var table = new Table().Border(TableBorder.Rounded).AddColumn("seq").AddColumn("at").AddColumn("actor").AddColumn("action").AddColumn("target").AddColumn("hash");
        foreach (var row in page.GetProperty("items").EnumerateArray())
        {
            table.AddRow(
                row.GetProperty("seq").ToString(),
                Markup.Escape(row.GetProperty("at").GetString()!),
                Markup.Escape(row.GetProperty("actor").GetString()!),
                Markup.Escape(row.GetProperty("action").GetString()!),
                Markup.Escape(row.GetProperty("target").GetString()!),
                row.GetProperty("hash").GetString()![..12]);
        }

        console.Write(table);
        return 0;
    }

    private static int Report(IAnsiConsole console, string? tenant, JsonElement result)
    {
        var chain = tenant is null ? "audit chain" : $"audit chain of tenant '{tenant}'";
        if (result.GetProperty("ok").GetBoolean())
        {
            var head = result.TryGetProperty("head_hash", out var hash) ? $", head seq {result.GetProperty("head_seq")} {hash.GetString()}" : string.Empty;
            console.WriteLine($"{chain}: ok, {result.GetProperty("entries")} entries{head}");
            return 0;
        }

        // One plain line (no markup, no wrapping) so scripts can grep the row number.
        Console.Out.WriteLine($"{chain}: broken at seq {result.GetProperty("broken_at")} ({result.GetProperty("kind").GetString()}): {result.GetProperty("reason").GetString()}");
        return 1;
    }

    private static void RejectTenant(string? tenant)
    {
        if (tenant is not null)
        {
            throw new CliException("--tenant reads the local store; with --server the API key decides the tenant", 2);
        }
    }

    private static SqliteDatabase OpenLocal(Target target) =>
        File.Exists(Path.Combine(target.DataDirectory, "warden.db"))
            ? new SqliteDatabase(target.DataDirectory)
            : throw new CliException($"no Warden data in '{Path.GetFullPath(target.DataDirectory)}'; pass --data-dir, or --server and --api-key", 2);

    private static JsonElement ToJson(object value) => JsonSerializer.SerializeToElement(value, WardenJson.Options);
}

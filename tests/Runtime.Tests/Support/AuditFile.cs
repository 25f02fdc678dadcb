using Microsoft.Data.Sqlite;
using Warden.Runtime.Storage;

namespace Warden.Runtime.Tests.Support;

/// <summary>Edits audit rows behind Warden's back, as someone with the database file could.</summary>
public static class AuditFile
{
    /// <summary>Drops the append-only triggers (anyone holding the file can) and sets one column of one row.</summary>
    public static void Tamper(SqliteDatabase db, string tenantId, long seq, string column, object value)
    {
        using var connection = db.Open();
        using (var drop = connection.CreateCommand())
        {
            drop.CommandText = "DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete;";
            drop.ExecuteNonQuery();
        }

        using var cmd = connection.CreateCommand();
        cmd.CommandText = $"UPDATE audit_log SET {column} = $value WHERE tenant_id = $tenant AND seq = $seq";
        cmd.Parameters.AddWithValue("$value", value);
        cmd.Parameters.AddWithValue("$tenant", tenantId);
        cmd.Parameters.AddWithValue("$seq", seq);
        if (cmd.ExecuteNonQuery() != 1)
        {
            throw new InvalidOperationException($"no audit row {tenantId}/{seq} to tamper with");
        }
    }
}

using System.ComponentModel.DataAnnotations;
using System.ComponentModel.DataAnnotations.Schema;

namespace RoslynPgSync.Tests.Models;

/// <summary>
/// The whole-transaction tests' tables (server txn_dst, Async): a parent and a child that the destination
/// links with a deferred foreign key, and a bulk table for statements of many entries.
/// </summary>
[Table("parent", Schema = "txn")]
[Replicate("txn_dst", TargetSchema = "txn_copy")]
public sealed class TxnParent
{
    [Key] public int Id { get; set; }
    public string Name { get; set; } = "";
}

/// <summary>A child row; on the destination only, its ParentId references txn_copy.parent, deferred.</summary>
[Table("child", Schema = "txn")]
[Replicate("txn_dst", TargetSchema = "txn_copy")]
public sealed class TxnChild
{
    [Key] public int Id { get; set; }
    public int ParentId { get; set; }
}

/// <summary>Rows by the hundred thousand, Async.</summary>
[Table("bulk", Schema = "txn")]
[Replicate("txn_dst", TargetSchema = "txn_copy")]
public sealed class TxnBulk
{
    [Key] public int Id { get; set; }
    public string Info { get; set; } = "";
    public string? Body { get; set; }
}

/// <summary>The same rows, Sync (server txn_sync): a commit's own entries.</summary>
[Table("bulk_sync", Schema = "txn")]
[Replicate("txn_sync", TargetSchema = "txn_copy", Mode = ReplicationMode.Sync)]
public sealed class TxnBulkSync
{
    [Key] public int Id { get; set; }
    public string Info { get; set; } = "";
    public string? Body { get; set; }
}

/// <summary>A parent, Sync (server txn_sync): with <see cref="TxnSyncChild"/>, a commit's own TRUNCATE of both.</summary>
[Table("sync_parent", Schema = "txn")]
[Replicate("txn_sync", TargetSchema = "txn_copy", Mode = ReplicationMode.Sync)]
public sealed class TxnSyncParent
{
    [Key] public int Id { get; set; }
    public string Name { get; set; } = "";
}

/// <summary>A child, Sync; on the destination only, its ParentId references txn_copy.sync_parent.</summary>
[Table("sync_child", Schema = "txn")]
[Replicate("txn_sync", TargetSchema = "txn_copy", Mode = ReplicationMode.Sync)]
public sealed class TxnSyncChild
{
    [Key] public int Id { get; set; }
    public int ParentId { get; set; }
}

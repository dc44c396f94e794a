using System.ComponentModel.DataAnnotations;
using System.ComponentModel.DataAnnotations.Schema;

namespace RoslynPgSync.Tests.Models;

/// <summary>Rows that exist before replication is installed: the initial copy's tables (server copy_async).</summary>
[Table("items", Schema = "cp")]
[Replicate("copy_async", TargetSchema = "cp_copy")]
public sealed class CopyItem
{
    [Key] public int Id { get; set; }
    public int Version { get; set; }
    public string Payload { get; set; } = "";
}

/// <summary>A composite key and a destination filter: chunks in (k1, k2) order, only kept rows on the target.</summary>
[Table("pairs", Schema = "cp")]
[Replicate("copy_async", TargetSchema = "cp_copy", Where = "kept")]
public sealed class CopyPair
{
    [Key, Column(Order = 0)] public int K1 { get; set; }
    [Key, Column(Order = 1)] public string K2 { get; set; } = "";
    public bool Kept { get; set; }
    public string? Note { get; set; }
}

/// <summary>
/// The copied table of the "not in the way" tests (server copy_busy): Sync, so that a change to one of its
/// rows while its chunk is queued shows the order.
/// </summary>
[Table("bulk", Schema = "cpb")]
[Replicate("copy_busy", TargetSchema = "cpb_copy", Mode = ReplicationMode.Sync)]
public sealed class BusyBulk
{
    [Key] public int Id { get; set; }
    public int Version { get; set; }
    public string Payload { get; set; } = "";
}

/// <summary>Another Sync table to the same server, written while cpb.bulk is copied; BulkId may reference a bulk row (a foreign key on the destination only).</summary>
[Table("live", Schema = "cpb")]
[Replicate("copy_busy", TargetSchema = "cpb_copy", Mode = ReplicationMode.Sync)]
public sealed class BusyLive
{
    [Key] public int Id { get; set; }
    public int? BulkId { get; set; }
    public string Note { get; set; } = "";
}

/// <summary>A Strict table to the same server, with the same destination-only foreign key as cpb.live.</summary>
[Table("firm", Schema = "cpb")]
[Replicate("copy_busy", TargetSchema = "cpb_copy", Mode = ReplicationMode.Strict)]
public sealed class BusyFirm
{
    [Key] public int Id { get; set; }
    public int? BulkId { get; set; }
}

/// <summary>An Async table to the same server, written while cpb.bulk is copied: its lag.</summary>
[Table("feed", Schema = "cpb")]
[Replicate("copy_busy", TargetSchema = "cpb_copy")]
public sealed class BusyFeed
{
    [Key] public int Id { get; set; }
    public string Note { get; set; } = "";
}

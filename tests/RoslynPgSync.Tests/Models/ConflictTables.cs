using System.ComponentModel.DataAnnotations;
using System.ComponentModel.DataAnnotations.Schema;

namespace RoslynPgSync.Tests.Models;

/// <summary>
/// Multi-master resolved by LastWriterWins: one type deployed on every node, each node registering
/// "lww_peer" as the other node of a pair (the same table, the same name, on both).
/// </summary>
[Table("lww_item", Schema = "mm")]
[Replicate("lww_peer", Conflicts = ConflictPolicy.LastWriterWins)]
public sealed class LwwItem
{
    [Key] public int Id { get; set; }
    public string? Info { get; set; }
    public byte[]? Blob { get; set; }
}

/// <summary>
/// A one-way feed into the pair's table (mm.lww_item, on the node it registers as "unstamped_feed")
/// from a node that keeps ApplyRemote for it: its changes come without stamps, which the pair refuses.
/// </summary>
[Table("lww_feed", Schema = "mm")]
[Replicate("unstamped_feed", TargetSchema = "mm", TargetTable = "lww_item")]
public sealed class UnstampedFeed
{
    [Key] public int Id { get; set; }
    public string? Info { get; set; }
    public byte[]? Blob { get; set; }
}

/// <summary>
/// A pair keyed by a numeric (C# decimal keeps its scale: 1.0m and 1.00m are one key to the primary key,
/// two texts to JSON).
/// </summary>
[Table("lww_decimal", Schema = "mm")]
[Replicate("decimal_peer", Conflicts = ConflictPolicy.LastWriterWins)]
public sealed class LwwDecimalItem
{
    [Key] [Column(TypeName = "numeric")] public decimal Id { get; set; }
    public string? Info { get; set; }
}

/// <summary>A 3-node full mesh: each node registers "mesh_1" and "mesh_2" as its two peers.</summary>
[Table("lww_mesh", Schema = "mm")]
[Replicate("mesh_1", Conflicts = ConflictPolicy.LastWriterWins)]
[Replicate("mesh_2", Conflicts = ConflictPolicy.LastWriterWins)]
public sealed class LwwMeshItem
{
    [Key] public int Id { get; set; }
    public string? Info { get; set; }
}

/// <summary>A pair whose model has a version member: the higher version wins, then the later write.</summary>
[Table("lww_versioned", Schema = "mm")]
[Replicate("versioned_peer", Conflicts = ConflictPolicy.LastWriterWins)]
public sealed class LwwVersioned
{
    [Key] public int Id { get; set; }
    public string? Info { get; set; }
    [ConcurrencyCheck] public long Version { get; set; }
}

/// <summary>A pair that keeps each node's row when a change conflicts with it.</summary>
[Table("keep_item", Schema = "mm")]
[Replicate("keep_peer", Conflicts = ConflictPolicy.KeepLocal)]
public sealed class KeepLocalItem
{
    [Key] public int Id { get; set; }
    public string? Info { get; set; }
}

/// <summary>A pair whose queue stops at a conflicting change.</summary>
[Table("strict_item", Schema = "mm")]
[Replicate("error_peer", Conflicts = ConflictPolicy.Error)]
public sealed class ErrorItem
{
    [Key] public int Id { get; set; }
    public string? Info { get; set; }
}

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

using System.ComponentModel.DataAnnotations;
using System.ComponentModel.DataAnnotations.Schema;

namespace RoslynPgSync.Tests.Models;

/// <summary>Three tables to one destination, one per mode: a transaction may write any of them.</summary>
public abstract class MixedRow
{
    [Key] public int Id { get; set; }
    public string? Note { get; set; }
}

/// <summary>Queued and replayed.</summary>
[Table("mixed_async", Schema = "mix")]
[Replicate("mix_dst", TargetSchema = "mix_copy")]
public sealed class MixedAsync : MixedRow
{
}

/// <summary>Sent at commit, queued when the destination fails.</summary>
[Table("mixed_sync", Schema = "mix")]
[Replicate("mix_dst", TargetSchema = "mix_copy", Mode = ReplicationMode.Sync)]
public sealed class MixedSync : MixedRow
{
}

/// <summary>Sent at commit, failing it when the destination fails.</summary>
[Table("mixed_strict", Schema = "mix")]
[Replicate("mix_dst", TargetSchema = "mix_copy", Mode = ReplicationMode.Strict)]
public sealed class MixedStrict : MixedRow
{
}

/// <summary>A Sync table keyed by a jsonb document: its keys travel as JSON values, also for a restore.</summary>
[Table("json_keyed", Schema = "mix")]
[Replicate("mix_dst", TargetSchema = "mix_copy", Mode = ReplicationMode.Sync)]
public sealed class JsonKeyed
{
    [Key, Column(TypeName = "jsonb")] public string Doc { get; set; } = "{}";
    public string? Note { get; set; }
}

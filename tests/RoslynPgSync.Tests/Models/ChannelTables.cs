using System.ComponentModel.DataAnnotations;
using System.ComponentModel.DataAnnotations.Schema;

namespace RoslynPgSync.Tests.Models;

/// <summary>
/// The channel tests' tables, all on server chan_dst (targets in schema chan_copy): a Sync table and an
/// Async one in the destination's default channel, an Async table in channel "bulk", and a parent and a
/// child in channel "ordered" (linked on the destination by an immediate foreign key).
/// </summary>
[Table("orders", Schema = "chan")]
[Replicate("chan_dst", TargetSchema = "chan_copy", Mode = ReplicationMode.Sync)]
public sealed class ChanOrder
{
    [Key] public int Id { get; set; }
    public string Item { get; set; } = "";
}

/// <summary>Async, in the default channel with <see cref="ChanOrder"/>.</summary>
[Table("events", Schema = "chan")]
[Replicate("chan_dst", TargetSchema = "chan_copy")]
public sealed class ChanEvent
{
    [Key] public int Id { get; set; }
    public string Info { get; set; } = "";
}

/// <summary>Async, in its own channel: its backlog is not the default channel's.</summary>
[Table("bulk", Schema = "chan")]
[Replicate("chan_dst", TargetSchema = "chan_copy", Channel = "bulk")]
public sealed class ChanBulk
{
    [Key] public int Id { get; set; }
    public int Amount { get; set; }
}

/// <summary>A parent in channel "ordered".</summary>
[Table("parent", Schema = "chan")]
[Replicate("chan_dst", TargetSchema = "chan_copy", Channel = "ordered")]
public sealed class ChanParent
{
    [Key] public int Id { get; set; }
    public string Name { get; set; } = "";
}

/// <summary>A child in channel "ordered"; on the destination its ParentId references chan_copy.parent.</summary>
[Table("child", Schema = "chan")]
[Replicate("chan_dst", TargetSchema = "chan_copy", Channel = "ordered")]
public sealed class ChanChild
{
    [Key] public int Id { get; set; }
    public int ParentId { get; set; }
}

using System.ComponentModel.DataAnnotations;
using System.ComponentModel.DataAnnotations.Schema;

namespace RoslynPgSync.Tests.Models;

/// <summary>
/// The fault suite's event table: writers own their keys and every write carries a version that only
/// grows per writer, so the destination's final rows show whether each key's last change won.
/// </summary>
public abstract class FaultEventRow
{
    [Key, Column(Order = 0)] public int Writer { get; set; }
    [Key, Column(Order = 1)] public int Item { get; set; }
    public long Version { get; set; }
    public string? Payload { get; set; }
}

/// <summary>Fault events, queued and replayed by the worker.</summary>
[Table("events_async", Schema = "app")]
[Replicate("fault_async", TargetSchema = "app")]
public sealed class FaultEventAsync : FaultEventRow
{
}

/// <summary>Fault events, sent at commit (queued while the destination is down).</summary>
[Table("events_sync", Schema = "app")]
[Replicate("fault_sync", TargetSchema = "app", Mode = ReplicationMode.Sync)]
public sealed class FaultEventSync : FaultEventRow
{
}

/// <summary>One table, two destinations: one of them rejects some rows for good.</summary>
[Table("ledger", Schema = "app")]
[Replicate("reject_a", TargetSchema = "a_copy")]
[Replicate("reject_b", TargetSchema = "b_copy")]
public sealed class LedgerRow
{
    public int Id { get; set; }
    [Column(TypeName = "numeric")] public decimal Amount { get; set; }
    public string? Note { get; set; }
}

using System.ComponentModel.DataAnnotations;
using System.ComponentModel.DataAnnotations.Schema;

namespace RoslynPgSync.Tests.Models;

/// <summary>
/// Cascade: each node registers "chain_next" as the next node of a line (A → B → C) or a ring
/// (A → B → C → A), and forwards what it applies there too.
/// </summary>
[Table("chain_item", Schema = "fw")]
[Replicate("chain_next", Forward = true)]
public sealed class ChainItem
{
    [Key] public int Id { get; set; }
    public string? Info { get; set; }
    public byte[]? Blob { get; set; }
    public string[]? Tags { get; set; }
}

/// <summary>A ring of forwarding nodes that resolves crossing writes by LastWriterWins.</summary>
[Table("ring_lww", Schema = "fw")]
[Replicate("ring_next", Forward = true, Conflicts = ConflictPolicy.LastWriterWins)]
public sealed class RingLwwItem
{
    [Key] public int Id { get; set; }
    public string? Info { get; set; }
}

/// <summary>A ring of forwarding nodes that keeps each node's row where a change conflicts with it.</summary>
[Table("ring_keep", Schema = "fw")]
[Replicate("keep_ring_next", Forward = true, Conflicts = ConflictPolicy.KeepLocal)]
public sealed class RingKeepLocalItem
{
    [Key] public int Id { get; set; }
    public string? Info { get; set; }
}

/// <summary>A ring of forwarding nodes whose queues stop at a conflicting change.</summary>
[Table("ring_error", Schema = "fw")]
[Replicate("error_ring_next", Forward = true, Conflicts = ConflictPolicy.Error)]
public sealed class RingErrorItem
{
    [Key] public int Id { get; set; }
    public string? Info { get; set; }
}

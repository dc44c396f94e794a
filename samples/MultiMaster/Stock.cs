using System.ComponentModel.DataAnnotations;
using System.ComponentModel.DataAnnotations.Schema;
using RoslynPgSync;

namespace MultiMaster;

/// <summary>
/// One model deployed on both nodes: each node registers its peer as "peer", so the table replicates
/// both ways, and the same key written on both nodes converges on the later write (docs/multi-master.md).
/// </summary>
[Table("stock", Schema = "shop")]
[Replicate("peer", Conflicts = ConflictPolicy.LastWriterWins)]
public sealed class Stock
{
    [Key] public int Sku { get; set; }

    public int Quantity { get; set; }

    public string? Note { get; set; }
}

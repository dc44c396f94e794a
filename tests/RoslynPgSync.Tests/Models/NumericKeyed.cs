using System.ComponentModel.DataAnnotations;
using System.ComponentModel.DataAnnotations.Schema;

namespace RoslynPgSync.Tests.Models;

/// <summary>A numeric key, whose equality (1.0 = 1.00) is coarser than its value (server numkey_dst, Async; KeyFormTests).</summary>
[Table("num_key", Schema = "numsrc")]
[Replicate("numkey_dst", TargetSchema = "num_copy")]
public sealed class NumericKeyed
{
    [Key, Column(TypeName = "numeric")] public decimal Id { get; set; }
    public string? Note { get; set; }
}

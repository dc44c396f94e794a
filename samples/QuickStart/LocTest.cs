using System;
using System.ComponentModel.DataAnnotations;
using System.ComponentModel.DataAnnotations.Schema;
using RoslynPgSync;

namespace QuickStart;

/// <summary>
/// The seed article's table: <c>local.loc_test(pk1 int, pk2 text, info text, crt_time timestamp(0),
/// mod_time timestamp(0), primary key(pk1, pk2))</c>, replicated to <c>remote.rmt_test</c>.
/// The timestamps keep the article's <c>timestamp(0)</c> (without time zone) through <c>TypeName</c>;
/// a plain <c>DateTime</c> would map to Npgsql's default, <c>timestamp with time zone</c>.
/// </summary>
[Table("loc_test", Schema = "local")]
[Replicate("dst", TargetSchema = "remote", TargetTable = "rmt_test", Mode = ReplicationMode.Sync)]
public sealed class LocTest
{
    [Key, Column(Order = 0)] public int Pk1 { get; set; }
    [Key, Column(Order = 1)] public string Pk2 { get; set; } = "";
    public string? Info { get; set; }
    [Column(TypeName = "timestamp(0) without time zone")] public DateTime? CrtTime { get; set; }
    [Column(TypeName = "timestamp(0) without time zone")] public DateTime? ModTime { get; set; }
}

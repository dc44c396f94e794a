using System;
using System.ComponentModel.DataAnnotations;
using System.ComponentModel.DataAnnotations.Schema;

namespace RoslynPgSync.Bench;

/// <summary>The seed's table shape: pk1 int, pk2 text, info text, crt_time and mod_time timestamp(0).</summary>
public abstract class SeedShape
{
    [Key, Column(Order = 0)] public int Pk1 { get; set; }
    [Key, Column(Order = 1)] public string Pk2 { get; set; } = "";
    public string? Info { get; set; }
    [Column(TypeName = "timestamp(0) without time zone")] public DateTime? CrtTime { get; set; }
    [Column(TypeName = "timestamp(0) without time zone")] public DateTime? ModTime { get; set; }
}

/// <summary>Ours, sent at commit.</summary>
[Table("t_sync", Schema = "bench")]
[Replicate("bench_sync", Mode = ReplicationMode.Sync)]
public sealed class SyncRow : SeedShape
{
}

/// <summary>Ours, queued and replayed.</summary>
[Table("t_async", Schema = "bench")]
[Replicate("bench_async")]
public sealed class AsyncRow : SeedShape
{
}

/// <summary>Ours, the copy workload's table: it holds its rows before the install, which copies them.</summary>
[Table("t_copy", Schema = "bench")]
[Replicate("bench_copy")]
public sealed class CopyRow : SeedShape
{
}

/// <summary>Ours, queued and replayed, resolving conflicts by LastWriterWins (issue 17's cost workload).</summary>
[Table("t_lww", Schema = "bench")]
[Replicate("bench_lww", Conflicts = ConflictPolicy.LastWriterWins)]
public sealed class LwwRow : SeedShape
{
}

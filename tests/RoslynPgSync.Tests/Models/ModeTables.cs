using System;
using System.ComponentModel.DataAnnotations;
using System.ComponentModel.DataAnnotations.Schema;

namespace RoslynPgSync.Tests.Models;

/// <summary>
/// The hostile-values table, once per mode: every kind of value the product promises to carry
/// intact, with a composite key whose text part may hold commas, braces, quotes and unicode, and
/// columns whose text form session settings change (ranges of times and dates, money).
/// Each mode replicates to its own server name so a test installs exactly the one it registers.
/// </summary>
public abstract class HostileRow
{
    [Key, Column(Order = 0)] public int Id { get; set; }
    [Key, Column(Order = 1)] public string Code { get; set; } = "";
    public string? Body { get; set; }
    public byte[]? Blob { get; set; }
    public int[]? Numbers { get; set; }
    public string?[]? Words { get; set; }
    [Column(TypeName = "jsonb")] public string? Document { get; set; }
    [Column(TypeName = "json")] public string? RawJson { get; set; }
    [Column(TypeName = "numeric")] public decimal? Amount { get; set; }
    public double? Ratio { get; set; }
    public DateTimeOffset? At { get; set; }
    [Column(TypeName = "timestamp without time zone")] public DateTime? LocalAt { get; set; }
    public TimeSpan? Span { get; set; }
    public Guid? Uid { get; set; }
    public bool? Flag { get; set; }
    [Column(TypeName = "tstzrange")] public string? Period { get; set; }
    [Column(TypeName = "daterange")] public string? Days { get; set; }
    [Column(TypeName = "money")] public decimal? Price { get; set; }
}

/// <summary>Hostile values, queued and replayed.</summary>
[Table("hostile_async", Schema = "app")]
[Replicate("async_dst", TargetSchema = "copy")]
public sealed class HostileAsync : HostileRow
{
}

/// <summary>Hostile values, queued and replayed through the stamped apply of a table that detects conflicts.</summary>
[Table("hostile_lww", Schema = "app")]
[Replicate("lww_dst", TargetSchema = "copy", Conflicts = ConflictPolicy.LastWriterWins)]
public sealed class HostileLww : HostileRow
{
}

/// <summary>Hostile values, sent at commit.</summary>
[Table("hostile_sync", Schema = "app")]
[Replicate("sync_dst", TargetSchema = "copy", Mode = ReplicationMode.Sync)]
public sealed class HostileSync : HostileRow
{
}

/// <summary>Hostile values, sent at commit or failing it.</summary>
[Table("hostile_strict", Schema = "app")]
[Replicate("strict_dst", TargetSchema = "copy", Mode = ReplicationMode.Strict)]
public sealed class HostileStrict : HostileRow
{
}

/// <summary>One table, two destinations in different modes, with a filter on one.</summary>
[Table("orders", Schema = "shop")]
[Replicate("fan_a", TargetSchema = "a_copy")]
[Replicate("fan_b", TargetSchema = "b_copy", Where = "status <> 'draft'")]
public sealed class FanOutOrder
{
    public int Id { get; set; }
    public string Status { get; set; } = "draft";
    public decimal Total { get; set; }
}

/// <summary>The seed's remote table, replicating back to the local one: the multi-master mirror of <see cref="LocTest"/>.</summary>
[Table("rmt_test", Schema = "remote")]
#pragma warning disable PGSYNC019 // the seed's multi-master pair: its writers keep to disjoint key ranges, as the seed advises
[Replicate("back", TargetSchema = "local", TargetTable = "loc_test", Mode = ReplicationMode.Sync)]
#pragma warning restore PGSYNC019
public sealed class RmtTest
{
    [Key, Column(Order = 0)] public int Pk1 { get; set; }
    [Key, Column(Order = 1)] public string Pk2 { get; set; } = "";
    public string? Info { get; set; }
    public DateTime? CrtTime { get; set; }
    public DateTime? ModTime { get; set; }
}

/// <summary>The seed's local table in Async mode.</summary>
[Table("loc_test_async", Schema = "local")]
#pragma warning disable PGSYNC019 // the seed's multi-master pair: its writers keep to disjoint key ranges, as the seed advises
[Replicate("dst_async", TargetSchema = "remote", TargetTable = "rmt_test_async")]
#pragma warning restore PGSYNC019
public sealed class LocTestAsync
{
    [Key, Column(Order = 0)] public int Pk1 { get; set; }
    [Key, Column(Order = 1)] public string Pk2 { get; set; } = "";
    public string? Info { get; set; }
    public DateTime? CrtTime { get; set; }
    public DateTime? ModTime { get; set; }
}

/// <summary>The Async mirror of <see cref="LocTestAsync"/>.</summary>
[Table("rmt_test_async", Schema = "remote")]
#pragma warning disable PGSYNC019 // the seed's multi-master pair: its writers keep to disjoint key ranges, as the seed advises
[Replicate("back_async", TargetSchema = "local", TargetTable = "loc_test_async")]
#pragma warning restore PGSYNC019
public sealed class RmtTestAsync
{
    [Key, Column(Order = 0)] public int Pk1 { get; set; }
    [Key, Column(Order = 1)] public string Pk2 { get; set; } = "";
    public string? Info { get; set; }
    public DateTime? CrtTime { get; set; }
    public DateTime? ModTime { get; set; }
}

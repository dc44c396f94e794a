using System;
using System.ComponentModel.DataAnnotations;
using System.ComponentModel.DataAnnotations.Schema;

namespace RoslynPgSync.Tests.Models;

/// <summary>The seed's table, as the architecture's example writes it.</summary>
[Table("loc_test", Schema = "local")]
#pragma warning disable PGSYNC019 // the seed's multi-master pair: its writers keep to disjoint key ranges, as the seed advises
[Replicate("dst", TargetSchema = "remote", TargetTable = "rmt_test", Mode = ReplicationMode.Sync)]
#pragma warning restore PGSYNC019
public sealed class LocTest
{
    [Key, Column(Order = 0)] public int Pk1 { get; set; }
    [Key, Column(Order = 1)] public string Pk2 { get; set; } = "";
    public string? Info { get; set; }
    public DateTime? CrtTime { get; set; }
    public DateTime? ModTime { get; set; }
}

/// <summary>Identifiers that must be quoted everywhere, with a key declared out of column order.</summary>
[Table("Order Items \"v2\"", Schema = "Select")]
[Replicate("dst", TargetSchema = "from", TargetTable = "weird\"name; drop table x; --")]
public sealed class AwkwardRow
{
    [Key, Column("Order", Order = 1)] public int Order { get; set; }
    [Key, Column("user", Order = 0)] public string User { get; set; } = "";
    [Column("Größe \\ \"x\"")] public string? Size { get; set; }
    [Column("group")] public int? Group { get; set; }
}

/// <summary>One column per CLR type of the default map.</summary>
public enum Shade
{
    Light,
    Dark,
}

/// <summary>One column per CLR type of the default map, plain and nullable.</summary>
[Table("every_type", Schema = "types")]
[Replicate("dst")]
public sealed class EveryType
{
    public Guid Id { get; set; }
    public int Count { get; set; }
    public long? Total { get; set; }
    public short Rank { get; set; }
    public byte Byte { get; set; }
    public bool? Bool { get; set; }
    public decimal Price { get; set; }
    [MaxLength(20)] public string? Code { get; set; }
    public double Ratio { get; set; }
    public float? Score { get; set; }
    public string Text { get; set; } = "";
    public DateTime DateTime { get; set; }
    public DateTimeOffset? DateTimeOffset { get; set; }
    public DateOnly DateOnly { get; set; }
    public TimeOnly? TimeOnly { get; set; }
    public TimeSpan TimeSpan { get; set; }
    public byte[]? Bytes { get; set; }
    public Shade Shade { get; set; }
    public int[]? Ints { get; set; }
    public string[] Texts { get; set; } = Array.Empty<string>();
    public byte[][]? Blobs { get; set; }
    [Column(TypeName = "jsonb")] public string? Document { get; set; }
    [Column(TypeName = "timestamp(0) without time zone")] public DateTime? Stamp { get; set; }
}

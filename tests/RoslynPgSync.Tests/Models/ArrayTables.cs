using System;
using System.ComponentModel.DataAnnotations;
using System.ComponentModel.DataAnnotations.Schema;

namespace RoslynPgSync.Tests.Models;

/// <summary>
/// Arrays that a JSON array cannot carry (server arr_dst, Async): JSON null elements of json and jsonb
/// arrays, lower bounds other than 1, and dates that print as the session's DateStyle says.
/// </summary>
[Table("arrays", Schema = "arr")]
[Replicate("arr_dst", TargetSchema = "arr_copy")]
public sealed class ArrayRow
{
    [Key] public int Id { get; set; }
    [Column(TypeName = "json[]")] public string[]? Raw { get; set; }
    [Column(TypeName = "jsonb[]")] public string[]? Docs { get; set; }
    public int[]? Numbers { get; set; }
    [Column(TypeName = "date[]")] public DateOnly[]? Days { get; set; }
    public int[]? Grid { get; set; } // (two-dimensional values: PostgreSQL has one integer[] type for any number)
}

/// <summary>The same row, Sync (server arr_sync): its keys and rows go at commit, and an aborted one is restored.</summary>
[Table("arrays_sync", Schema = "arr")]
[Replicate("arr_sync", TargetSchema = "arr_copy", Mode = ReplicationMode.Sync)]
public sealed class ArrayRowSync
{
    [Key] public int Id { get; set; }
    [Column(TypeName = "json[]")] public string[]? Raw { get; set; }
    public int[]? Numbers { get; set; }
}

using System;

namespace RoslynPgSync;

/// <summary>
/// Replicates the table that the marked class maps to (DataAnnotations <c>[Table]</c>, <c>[Key]</c>,
/// <c>[Column]</c>, <c>[NotMapped]</c> and EF Core <c>[PrimaryKey]</c> are honoured) to the destination
/// server named by the constructor argument. Repeat the attribute to replicate one table to several
/// destinations. The RoslynPgSync source generator turns it into trigger SQL and an installer at build time.
/// </summary>
/// <example>
/// <code>
/// [Table("loc_test", Schema = "local")]
/// [Replicate("dst", TargetSchema = "remote", TargetTable = "rmt_test", Mode = ReplicationMode.Sync)]
/// public sealed class LocTest { ... }
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ReplicateAttribute : Attribute
{
    /// <summary>Replicates the marked table to <paramref name="server"/>.</summary>
    /// <param name="server">
    /// The destination's name, as registered with <see cref="PgSyncOptions.AddServer(string, string)"/>; it also
    /// names the foreign server that the installer creates.
    /// </param>
    /// <exception cref="ArgumentException"><paramref name="server"/> is null, empty or white space.</exception>
    public ReplicateAttribute(string server)
    {
        if (string.IsNullOrWhiteSpace(server))
        {
            throw new ArgumentException("The destination server name of [Replicate] must not be empty.", nameof(server));
        }

        Server = server;
    }

    /// <summary>The destination server's name.</summary>
    public string Server { get; }

    /// <summary>The schema of the table on the destination; the source table's schema when not set.</summary>
    public string? TargetSchema { get; set; }

    /// <summary>The table's name on the destination; the source table's name when not set.</summary>
    public string? TargetTable { get; set; }

    /// <summary>When changes are sent and what a destination failure does; <see cref="ReplicationMode.Async"/> by default.</summary>
    public ReplicationMode Mode { get; set; } = ReplicationMode.Async;

    /// <summary>
    /// A SQL predicate over the source table's columns; only rows for which it is true are replicated
    /// (a row that stops matching is deleted on the destination). <c>null</c> replicates every row.
    /// </summary>
    public string? Where { get; set; }

    /// <summary>
    /// The ordered stream, within the destination, that this table's changes travel in. Changes in one
    /// channel are applied strictly in the order they were made, across all of its tables; channels are
    /// independent of each other, so that a backlog, a large statement or an initial copy in one does not
    /// hold back the tables of another (a Sync table in its own channel commits while an Async backlog
    /// drains in the default one). A destination constraint between tables (a foreign key) needs them in
    /// one channel; a source transaction that writes tables of two channels arrives as two transactions.
    /// <c>null</c> (the default): the destination's default channel. A name of letters, digits,
    /// <c>_</c>, <c>-</c> and <c>.</c>, at most 63 characters.
    /// </summary>
    public string? Channel { get; set; }

    /// <summary>
    /// What the destination does when this table's change meets a row written there since (multi-master: the
    /// same key written on both nodes before either change arrived). <see cref="ConflictPolicy.ApplyRemote"/>
    /// (the default) applies the change regardless, right for a one-way copy. A member marked
    /// <c>[ConcurrencyCheck]</c> or <c>[Timestamp]</c> is the row's version: the higher version wins.
    /// The analyzer warns (PGSYNC019) when a table and its target replicate to each other with ApplyRemote.
    /// </summary>
    public ConflictPolicy Conflicts { get; set; } = ConflictPolicy.ApplyRemote;

    /// <summary>
    /// Cascade: also send this destination the changes this node applies from other nodes, not only its
    /// own writes (A → B → C: B's <c>[Replicate("c", Forward = true)]</c>). Each change carries the nodes it has
    /// been through, and is never sent to one of them: a ring or a line of forwarding nodes has no loops.
    /// <c>false</c> (the default): a change applied here is never captured again (a full mesh). Async only (PGSYNC021).
    /// </summary>
    public bool Forward { get; set; }
}

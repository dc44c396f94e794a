using System;

namespace RoslynPgSync;

/// <summary>One destination of a replicated table: one <see cref="ReplicateAttribute"/>.</summary>
public sealed class ReplicationTarget
{
    /// <summary>Creates a destination description; called by generated code.</summary>
    /// <param name="server">The destination server name.</param>
    /// <param name="schema">The table's schema on the destination.</param>
    /// <param name="table">The table's name on the destination.</param>
    /// <param name="mode">When changes are sent.</param>
    /// <param name="where">The row filter over source columns, or <c>null</c>.</param>
    /// <param name="createTableSql">DDL that creates the target table from the model, if absent.</param>
    public ReplicationTarget(string server, string schema, string table, ReplicationMode mode, string? where, string createTableSql)
        : this(server, schema, table, mode, where, createTableSql, channel: string.Empty)
    {
    }

    /// <summary>Creates a destination description in a named channel; called by generated code.</summary>
    /// <param name="server">The destination server name.</param>
    /// <param name="schema">The table's schema on the destination.</param>
    /// <param name="table">The table's name on the destination.</param>
    /// <param name="mode">When changes are sent.</param>
    /// <param name="where">The row filter over source columns, or <c>null</c>.</param>
    /// <param name="createTableSql">DDL that creates the target table from the model, if absent.</param>
    /// <param name="channel">The stream within the destination (<see cref="ReplicateAttribute.Channel"/>); empty: the default one.</param>
    public ReplicationTarget(string server, string schema, string table, ReplicationMode mode, string? where, string createTableSql, string channel)
    {
        Server = server ?? throw new ArgumentNullException(nameof(server));
        Schema = schema ?? throw new ArgumentNullException(nameof(schema));
        Table = table ?? throw new ArgumentNullException(nameof(table));
        Mode = mode;
        Where = where;
        CreateTableSql = createTableSql ?? throw new ArgumentNullException(nameof(createTableSql));
        Channel = channel ?? throw new ArgumentNullException(nameof(channel));
        if (channel.Length > 0 && Sql.Channels.Problem(channel) is { } problem)
        {
            throw new ArgumentException($"The channel \"{channel}\" of the target {server}:{schema}.{table} cannot be used: {problem}.", nameof(channel));
        }
    }

    /// <summary>The destination server name, as registered with <see cref="PgSyncOptions.AddServer"/>.</summary>
    public string Server { get; }

    /// <summary>The table's schema on the destination.</summary>
    public string Schema { get; }

    /// <summary>The table's name on the destination.</summary>
    public string Table { get; }

    /// <summary>When changes are sent and what a destination failure does.</summary>
    public ReplicationMode Mode { get; }

    /// <summary>
    /// The stream within the destination that this target's changes go in (<see cref="ReplicateAttribute.Channel"/>):
    /// order is strict within a channel and there is none between channels. Empty: the destination's default channel.
    /// </summary>
    public string Channel { get; }

    /// <summary>
    /// What the destination does with a change that meets a row written there since (<see cref="ReplicateAttribute.Conflicts"/>);
    /// set by generated code when not <see cref="ConflictPolicy.ApplyRemote"/>.
    /// </summary>
    public ConflictPolicy Conflicts { get; init; }

    /// <summary>
    /// <see cref="ConflictPolicy.LastWriterWins"/>: the DDL of the target's record of row versions (the stamp of the
    /// write each key holds, tombstones for deletes), given the quoted RoslynPgSync schema; run on the destination
    /// at install. Set by generated code; <c>null</c> for the other policies.
    /// </summary>
    public Func<string, string>? RowVersionsSql { get; init; }

    /// <summary>
    /// Cascade (<see cref="ReplicateAttribute.Forward"/>): the changes this node applies from other nodes go to this
    /// destination too, never to a node they have been through. Set by generated code.
    /// </summary>
    public bool Forward { get; init; }

    /// <summary>The row filter over source columns, or <c>null</c> for every row.</summary>
    public string? Where { get; }

    /// <summary><c>CREATE SCHEMA/TABLE IF NOT EXISTS</c> for the target, quoted, computed at build time.</summary>
    public string CreateTableSql { get; }

    /// <inheritdoc />
    public override string ToString() =>
        $"{Server}:{Schema}.{Table} ({Mode}{(Channel.Length == 0 ? string.Empty : ", channel " + Channel)}{(Conflicts == ConflictPolicy.ApplyRemote ? string.Empty : ", conflicts " + Conflicts)}{(Forward ? ", forwards" : string.Empty)})";
}

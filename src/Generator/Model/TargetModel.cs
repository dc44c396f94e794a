namespace RoslynPgSync.Generator.Model;

/// <summary>One destination of a table: one <c>[Replicate]</c> attribute.</summary>
/// <param name="Server">The destination server name, as registered with <c>PgSyncOptions.AddServer</c>.</param>
/// <param name="Schema">The target schema (the source schema unless remapped).</param>
/// <param name="Table">The target table (the source table unless remapped).</param>
/// <param name="Mode">Async, Sync or Strict (the <c>ReplicationMode</c> of the same name).</param>
/// <param name="Where">The row filter over source columns, or <c>null</c>.</param>
/// <param name="Channel">The stream within the destination (<c>Channel</c>); empty: its default channel.</param>
/// <param name="Conflicts">What the destination does with a change that meets a row written there since.</param>
/// <param name="Forward">Cascade: the changes this node applies from others go to this destination too (<c>Forward</c>).</param>
internal sealed record TargetModel(
    string Server,
    string Schema,
    string Table,
    QueueMode Mode,
    string? Where,
    string Channel = "",
    Conflicts Conflicts = Conflicts.ApplyRemote,
    bool Forward = false);

using System;
using System.Collections.Generic;

namespace RoslynPgSync.Hosting;

/// <summary>The generated tables the host installs and replays (<c>PgSyncInstaller.Tables</c>).</summary>
public sealed class PgSyncTables
{
    /// <summary>Wraps the generated list.</summary>
    public PgSyncTables(IReadOnlyList<ReplicatedTable> tables) => All = tables ?? throw new ArgumentNullException(nameof(tables));

    /// <summary>Every generated table.</summary>
    public IReadOnlyList<ReplicatedTable> All { get; }
}

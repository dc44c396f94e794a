using System;
using System.Collections.Generic;
using System.Linq;

namespace RoslynPgSync.Installation;

/// <summary>
/// Which tables this node installs: those whose every destination server is registered. A table that
/// names only unregistered servers is skipped (another node installs it: that is how one assembly
/// serves multi-master); one that names some registered and some not is a configuration error.
/// </summary>
internal sealed class InstallPlan
{
    private InstallPlan(IReadOnlyList<ReplicatedTable> tables, IReadOnlyList<ReplicatedTable> skipped, IReadOnlyList<PgSyncServer> servers)
    {
        Tables = tables;
        Skipped = skipped;
        Servers = servers;
    }

    public IReadOnlyList<ReplicatedTable> Tables { get; }

    public IReadOnlyList<ReplicatedTable> Skipped { get; }

    /// <summary>The registered servers the installed tables use, in registration order.</summary>
    public IReadOnlyList<PgSyncServer> Servers { get; }

    public static InstallPlan Create(PgSyncOptions options, IReadOnlyList<ReplicatedTable> tables)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(tables);
        var install = new List<ReplicatedTable>();
        var skipped = new List<ReplicatedTable>();
        foreach (var table in tables)
        {
            var missing = table.Targets.Select(t => t.Server).Distinct(StringComparer.Ordinal).Where(s => options.FindServer(s) is null).ToList();
            if (missing.Count == table.Targets.Select(t => t.Server).Distinct(StringComparer.Ordinal).Count())
            {
                skipped.Add(table);
            }
            else if (missing.Count > 0)
            {
                throw new PgSyncInstallException(
                    $"Table {table} replicates to server(s) {string.Join(", ", missing.Select(m => "'" + m + "'"))}, which are not registered, " +
                    $"while its other destinations are. Register every server of {table.EntityType.Name} with PgSyncOptions.AddServer, or none on this node.");
            }
            else
            {
                install.Add(table);
            }
        }

        if (install.Count == 0)
        {
            var named = tables.SelectMany(t => t.Targets).Select(t => t.Server).Distinct(StringComparer.Ordinal).ToList();
            throw new PgSyncInstallException(tables.Count == 0
                ? "There is nothing to install: this assembly has no [Replicate] table."
                : $"No table can be installed: none of the servers the [Replicate] attributes name ({string.Join(", ", named.Select(n => "'" + n + "'"))}) " +
                  $"is registered with PgSyncOptions.AddServer (registered: {(options.Servers.Count == 0 ? "none" : string.Join(", ", options.Servers.Select(s => "'" + s.Name + "'")))}).");
        }

        var used = new HashSet<string>(install.SelectMany(t => t.Targets).Select(t => t.Server), StringComparer.Ordinal);
        return new InstallPlan(install, skipped, options.Servers.Where(s => used.Contains(s.Name)).ToList());
    }
}

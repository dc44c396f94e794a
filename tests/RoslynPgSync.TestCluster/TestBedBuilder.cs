using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using RoslynPgSync.Installation;

namespace RoslynPgSync.TestCluster;

/// <summary>
/// Describes a test bed (see <see cref="TestBed.Create"/>): the nodes, which cluster each lives on, the
/// destination servers each node replicates to, and each node's options. Nothing happens until
/// <see cref="BuildAsync"/> or <see cref="InstallAsync"/>.
/// </summary>
/// <example>
/// <code>
/// // The common pair: "local" replicates to "remote" through the server async_dst, installed.
/// await using var pair = await TestBed.Create().Pair("async_dst").InstallAsync(PgSyncInstaller.Tables);
/// // Both ways (multi-master), the remote side on a cluster the test may crash.
/// await using var nodes = await TestBed.Create()
///     .Node("remote", destination)
///     .Replicate("local", "remote", "dst").Replicate("remote", "local", "back")
///     .InstallAsync(PgSyncInstaller.Tables);
/// </code>
/// </example>
public sealed class TestBedBuilder
{
    private readonly List<NodeSpec> _nodes = new();
    private PostgresCluster? _cluster;

    internal TestBedBuilder()
    {
    }

    /// <summary>The cluster of every node not given one (by default <see cref="SharedCluster"/>).</summary>
    /// <param name="cluster">The cluster.</param>
    /// <returns>This builder.</returns>
    public TestBedBuilder On(PostgresCluster cluster)
    {
        _cluster = cluster ?? throw new ArgumentNullException(nameof(cluster));
        return this;
    }

    /// <summary>
    /// A node: a fresh database (named after the node, with a random suffix) owned by a fresh
    /// non-superuser role. Its options start as <c>NodeName = name</c>, <c>CreateMissingTables = true</c>.
    /// </summary>
    /// <param name="name">The node's name; "local" and "remote" are the names <see cref="TestBed"/>'s shorthands use.</param>
    /// <param name="cluster">Where it lives (a cluster of the test's own, which it may crash); null: the bed's cluster.</param>
    /// <returns>This builder.</returns>
    public TestBedBuilder Node(string name, PostgresCluster? cluster = null)
    {
        var node = Spec(name);
        node.Cluster = cluster ?? node.Cluster;
        return this;
    }

    /// <summary>Registers on <paramref name="from"/> each of <paramref name="servers"/> as a destination server pointing at <paramref name="to"/>.</summary>
    /// <param name="from">The replicating node (added if new).</param>
    /// <param name="to">The destination node (added if new).</param>
    /// <param name="servers">The server names, as the models' <c>[Replicate(server, ...)]</c> give them.</param>
    /// <returns>This builder.</returns>
    public TestBedBuilder Replicate(string from, string to, params string[] servers)
    {
        var source = Spec(from);
        Spec(to);
        foreach (var server in servers)
        {
            source.Servers.Add((server, to));
        }

        return this;
    }

    /// <summary>The common pair: node "local" replicates to node "remote" through <paramref name="servers"/>.</summary>
    /// <param name="servers">The server names.</param>
    /// <returns>This builder.</returns>
    public TestBedBuilder Pair(params string[] servers) => Replicate("local", "remote", servers);

    /// <summary>Changes a node's options before anything is installed with them (a commit timeout, a schema).</summary>
    /// <param name="node">The node (added if new).</param>
    /// <param name="configure">Called with the node's options once its servers are registered.</param>
    /// <returns>This builder.</returns>
    public TestBedBuilder Configure(string node, Action<PgSyncOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        Spec(node).Configure += configure;
        return this;
    }

    /// <summary>Creates the databases, data sources and options; installs nothing (for tests of the installer itself).</summary>
    /// <param name="ct">Cancels the set-up; what was created is removed.</param>
    /// <returns>The bed; dispose it to drop its databases and roles.</returns>
    public async Task<TestBed> BuildAsync(CancellationToken ct = default)
    {
        var fallback = _cluster ?? await SharedCluster.GetAsync().ConfigureAwait(false);
        var nodes = new List<TestNode>();
        var bed = new TestBed(nodes);
        try
        {
            foreach (var spec in _nodes)
            {
                var cluster = spec.Cluster ?? fallback;
                if (!cluster.IsRunning)
                {
                    // A cluster of the test class's own that an earlier test left crashed.
                    await cluster.RestartAsync(ct).ConfigureAwait(false);
                }

                var database = await cluster.CreateDatabaseAsync(spec.Name, ct).ConfigureAwait(false);
                nodes.Add(new TestNode(spec.Name, cluster, database, NpgsqlDataSource.Create(database.ConnectionString)));
            }

            foreach (var spec in _nodes)
            {
                var node = bed.Node(spec.Name);
                foreach (var (server, to) in spec.Servers)
                {
                    node.Options.AddServer(server, bed.Node(to).Database.ConnectionString);
                }

                spec.Configure?.Invoke(node.Options);
            }

            return bed;
        }
        catch
        {
            await bed.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// <see cref="BuildAsync"/>, then installs <paramref name="tables"/> on every node that replicates
    /// somewhere, in the order the nodes were named, each with its own options.
    /// </summary>
    /// <param name="tables">The generated tables (<c>PgSyncInstaller.Tables</c> of the test's assembly).</param>
    /// <param name="ct">Cancels the set-up; what was created is removed.</param>
    /// <returns>The bed.</returns>
    public async Task<TestBed> InstallAsync(IReadOnlyList<ReplicatedTable> tables, CancellationToken ct = default)
    {
        var bed = await BuildAsync(ct).ConfigureAwait(false);
        try
        {
            foreach (var spec in _nodes.Where(n => n.Servers.Count > 0))
            {
                var node = bed.Node(spec.Name);
                await PgSyncInstallation.InstallAsync(node.Source, node.Options, tables, ct).ConfigureAwait(false);
            }

            return bed;
        }
        catch
        {
            await bed.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private NodeSpec Spec(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var spec = _nodes.Find(n => n.Name == name);
        if (spec is null)
        {
            spec = new NodeSpec(name);
            _nodes.Add(spec);
        }

        return spec;
    }

    private sealed class NodeSpec(string name)
    {
        public string Name { get; } = name;

        public PostgresCluster? Cluster { get; set; }

        public List<(string Server, string To)> Servers { get; } = new();

        public Action<PgSyncOptions>? Configure { get; set; }
    }
}

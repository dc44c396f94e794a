using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using RoslynPgSync.Sql;

namespace RoslynPgSync;

/// <summary>
/// What the installer and the replay worker need at run time: where the RoslynPgSync objects live, which
/// node this is, and the destination servers with their connection strings.
/// </summary>
/// <example>
/// <code>
/// var options = new PgSyncOptions { NodeName = "local" };
/// options.AddServer("dst", "Host=db2;Port=5432;Database=remote;Username=remote;Password=...");
/// await PgSyncInstaller.InstallAsync(dataSource, options);
/// </code>
/// </example>
public sealed class PgSyncOptions
{
    /// <summary>The schema used when <see cref="Schema"/> is not set: <c>pgsync</c>.</summary>
    public const string DefaultSchema = "pgsync";

    private readonly List<PgSyncServer> _servers = new();
    private string _schema = DefaultSchema;
    private string? _nodeName;

    /// <summary>Creates options with the defaults: schema <c>pgsync</c>, no node name, no servers.</summary>
    public PgSyncOptions()
    {
        Servers = new ReadOnlyCollection<PgSyncServer>(_servers);
    }

    /// <summary>
    /// The schema that holds the queue (<c>sync_err_rec</c>), the replay function
    /// (<c>deal_sync_err_rec</c>) and the trigger functions. <c>pgsync</c> by default.
    /// </summary>
    /// <exception cref="ArgumentException">The value is empty or not a valid PostgreSQL identifier.</exception>
    public string Schema
    {
        get => _schema;
        set
        {
            ThrowIfInvalidIdentifier(value, nameof(Schema), "schema name");
            _schema = value;
        }
    }

    /// <summary>
    /// This node's name: sessions that apply changes set it as their <c>pgsync.origin</c>, which is how
    /// multi-master set-ups avoid sending a change back where it came from.
    /// </summary>
    /// <exception cref="ArgumentException">The value is empty or not a valid PostgreSQL identifier.</exception>
    public string? NodeName
    {
        get => _nodeName;
        set
        {
            if (value is not null)
            {
                ThrowIfInvalidIdentifier(value, nameof(NodeName), "node name");
            }

            _nodeName = value;
        }
    }

    /// <summary>
    /// Create the source and target tables from the model when they do not exist. Off by default: a
    /// missing table is then an installation error.
    /// </summary>
    public bool CreateMissingTables { get; set; }

    /// <summary>The <see cref="CommitTimeout"/> when none is set: 30 seconds.</summary>
    public static readonly TimeSpan DefaultCommitTimeout = TimeSpan.FromSeconds(30);

    private TimeSpan? _commitTimeout = DefaultCommitTimeout;

    /// <summary>
    /// How long a committing transaction waits for a destination's answer (each wait of its flush)
    /// before it drops the connection and gives up: a Sync change then stays queued, with the failure
    /// visible, and the commit returns; a Strict commit fails. It bounds a destination that stops
    /// answering while its host still acknowledges TCP (a hung or stopped server), which keepalives
    /// cannot notice. 30 seconds by default; <c>null</c> waits without bound (PostgreSQL 15's dblink
    /// then waits uninterruptibly, saving the polling). A session's own <c>pgsync.remote_timeout</c>
    /// (<c>SET</c> or <c>ALTER ROLE ... SET</c>) takes precedence. Installed with the other objects.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public TimeSpan? CommitTimeout
    {
        get => _commitTimeout;
        set
        {
            if (value is { } wait && wait <= TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException(nameof(CommitTimeout), value, "CommitTimeout must be positive, or null to wait without bound.");
            }

            _commitTimeout = value;
        }
    }

    /// <summary>
    /// What the install does with the rows a source table already holds, for each table and destination
    /// never copied before: <see cref="InitialCopyMode.WhenTargetEmpty"/> by default (copy into an empty
    /// target, leave a target that has rows and say so), <see cref="InitialCopyMode.Never"/> or
    /// <see cref="InitialCopyMode.Replace"/>. The copy runs after the install commits (in the background
    /// when the hosted worker installs), online, and resumes where it stopped after a restart.
    /// </summary>
    public InitialCopyMode InitialCopy { get; set; } = InitialCopyMode.WhenTargetEmpty;

    /// <summary>The <see cref="InitialCopyChunkRows"/> when none is set: 10,000.</summary>
    public const int DefaultInitialCopyChunkRows = 10_000;

    private int _initialCopyChunkRows = DefaultInitialCopyChunkRows;

    /// <summary>
    /// How many rows one chunk of an initial copy reads (and locks FOR SHARE, for that chunk's short
    /// transaction) and sends as one queue entry. 10,000 by default.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public int InitialCopyChunkRows
    {
        get => _initialCopyChunkRows;
        set => _initialCopyChunkRows = value > 0
            ? value
            : throw new ArgumentOutOfRangeException(nameof(InitialCopyChunkRows), value, "InitialCopyChunkRows must be positive.");
    }

    /// <summary>The destination servers registered so far, in registration order.</summary>
    public IReadOnlyList<PgSyncServer> Servers { get; }

    /// <summary>
    /// Registers a destination. A table is installed on this node when every server its <c>[Replicate]</c>
    /// attributes name is registered.
    /// </summary>
    /// <param name="name">The server name used by <c>[Replicate(name)]</c>.</param>
    /// <param name="connectionString">
    /// An Npgsql connection string: <c>Host=...;Port=...;Database=...;Username=...;Password=...</c>. The
    /// password goes into the foreign server's user mapping and nowhere else.
    /// </param>
    /// <returns>These options, for chaining.</returns>
    /// <exception cref="ArgumentException">
    /// The name is empty, invalid or already registered, or the connection string cannot be parsed or lacks
    /// Host, Database or Username. Messages name the server, never the password.
    /// </exception>
    public PgSyncOptions AddServer(string name, string connectionString)
    {
        ThrowIfInvalidIdentifier(name, nameof(name), "server name");
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new ArgumentException($"The connection string of server '{name}' is empty.", nameof(connectionString));
        }

        foreach (var existing in _servers)
        {
            if (string.Equals(existing.Name, name, StringComparison.Ordinal))
            {
                throw new ArgumentException($"A server named '{name}' is already registered.", nameof(name));
            }
        }

        _servers.Add(PgSyncServer.Parse(name, connectionString, nameof(connectionString)));
        return this;
    }

    /// <summary>The server registered as <paramref name="name"/>, or <c>null</c>.</summary>
    public PgSyncServer? FindServer(string name)
    {
        foreach (var server in _servers)
        {
            if (string.Equals(server.Name, name, StringComparison.Ordinal))
            {
                return server;
            }
        }

        return null;
    }

    private static void ThrowIfInvalidIdentifier(string? value, string parameterName, string what)
    {
        if (PgSql.IdentifierProblem(value) is { } problem)
        {
            throw new ArgumentException($"The {what} {Secrets.Quoted(value)} cannot be used as a PostgreSQL identifier: {problem}.", parameterName);
        }
    }
}

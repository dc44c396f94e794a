using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using RoslynPgSync.Copy;
using RoslynPgSync.Installation;
using RoslynPgSync.Queue;
using RoslynPgSync.Sql;
using static RoslynPgSync.Sql.Commands;

namespace RoslynPgSync.Hosting;

/// <summary>
/// Installs replication at start-up, then drains every stream (a destination's channel) in batches, one
/// batch per stream in turn: woken by <c>NOTIFY</c>, polling as a fallback, backing off (exponentially,
/// with jitter) while a stream fails. Several instances may run at once: each batch is applied under
/// the stream's advisory lock, in queue order, so nothing is applied twice or out of order. On shutdown
/// an in-flight batch either commits or rolls back whole; nothing is lost.
/// </summary>
public sealed class PgSyncReplayWorker : BackgroundService
{
    /// <summary>How often, at most, the metrics read the status while batches keep coming.</summary>
    private static readonly TimeSpan ObserveInterval = TimeSpan.FromSeconds(1);

    /// <summary>How often the worker vacuums the queue's tables (<see cref="VacuumIfDueAsync"/>).</summary>
    private static readonly TimeSpan VacuumInterval = TimeSpan.FromSeconds(10);

    /// <summary>How often the worker removes conflict records and tombstones past their retention (<see cref="PurgeIfDueAsync"/>).</summary>
    private static readonly TimeSpan PurgeInterval = TimeSpan.FromMinutes(1);
    private readonly NpgsqlDataSource _local;
    private readonly PgSyncOptions _options;
    private readonly PgSyncHostOptions _host;
    private readonly PgSyncTables _tables;
    private readonly PgSyncMonitor _monitor;
    private readonly PgSyncMetrics _metrics;
    private readonly ILogger<PgSyncReplayWorker> _logger;
    private readonly TimeProvider _time;
    private readonly Random _random = new();
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _retryNow = new();

    /// <summary>Creates the worker; registered by <c>AddPgSync</c>.</summary>
    public PgSyncReplayWorker(
        NpgsqlDataSource local,
        IOptions<PgSyncOptions> options,
        IOptions<PgSyncHostOptions> host,
        PgSyncTables tables,
        PgSyncMonitor monitor,
        PgSyncMetrics metrics,
        ILogger<PgSyncReplayWorker> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(host);
        _local = local ?? throw new ArgumentNullException(nameof(local));
        _options = options.Value;
        _host = host.Value;
        _tables = tables ?? throw new ArgumentNullException(nameof(tables));
        _monitor = monitor ?? throw new ArgumentNullException(nameof(monitor));
        _metrics = metrics ?? throw new ArgumentNullException(nameof(metrics));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _time = TimeProvider.System;
    }

    /// <summary>
    /// Completes once the start-up installation has succeeded (for readiness checks and tests). While
    /// it keeps failing over an earlier install, the worker drains the queue meanwhile.
    /// </summary>
    public Task Installed => _installed.Task;

    private readonly TaskCompletionSource _installed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // The background initial copies (RunCopiesAsync); completed when none runs.
    private Task _copies = Task.CompletedTask;

    // Set while a start-up install failed and an earlier install keeps replication running.
    private DateTimeOffset? _installDue;
    private DateTimeOffset _resolveDue;
    private DateTimeOffset _observeDue;

    // The conflict totals at the last look, per table, kind and resolution (null: none read yet, so the first read only notes them).
    private Dictionary<(string Table, string Kind, string Resolution), long>? _conflictsSeen;

    private DateTimeOffset _purgeDue;
    private DateTimeOffset _vacuumDue;
    private TimeSpan _installDelay;

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var servers = await InstallAsync(stoppingToken).ConfigureAwait(false);
        // Every destination's default channel and every channel the models name; channels found queued
        // (a model that no longer names one) join at the next resolve.
        var backoffs = servers.Select(s => (Server: s, Channel: string.Empty))
            .Concat(_tables.All.SelectMany(t => t.Targets).Where(t => servers.Contains(t.Server)).Select(t => (t.Server, t.Channel)))
            .Distinct()
            .Select(s => new DestinationBackoff(s.Server, s.Channel, _host.MinBackoff, _host.MaxBackoff))
            .ToList();
        NpgsqlConnection? listener = null;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var moreWork = false;
                try
                {
                    await RetryInstallIfDueAsync(stoppingToken).ConfigureAwait(false);
                    listener ??= await ListenAsync(stoppingToken).ConfigureAwait(false);
                    while (_retryNow.TryDequeue(out var retry))
                    {
                        // An operator skipped an entry or asked for a retry: do not wait out the backoff.
                        foreach (var backoff in backoffs.Where(b => b.Server == retry))
                        {
                            backoff.RetryNow();
                        }
                    }

                    if (_time.GetUtcNow() >= _resolveDue)
                    {
                        _resolveDue = _time.GetUtcNow() + _host.ResolveInterval;
                        foreach (var server in backoffs.Where(b => b.NextAttempt <= _time.GetUtcNow()).Select(b => b.Server).Distinct().ToList())
                        {
                            await ResolveAsync(server, stoppingToken).ConfigureAwait(false);
                        }

                        await FindQueuedChannelsAsync(servers, backoffs, stoppingToken).ConfigureAwait(false);
                    }

                    foreach (var backoff in backoffs.Where(b => b.NextAttempt <= _time.GetUtcNow()))
                    {
                        moreWork |= await DrainOneBatchAsync(backoff, stoppingToken).ConfigureAwait(false);
                    }

                    await VacuumIfDueAsync(backoffs, stoppingToken).ConfigureAwait(false);

                    // The status reads the whole queue: once a second while draining, not after every batch.
                    if (!moreWork || _time.GetUtcNow() >= _observeDue)
                    {
                        _observeDue = _time.GetUtcNow() + ObserveInterval;
                        _metrics.Observe(await _monitor.GetStatusAsync(stoppingToken).ConfigureAwait(false));
                        _metrics.ObserveCopies(await _monitor.GetCopiesAsync(stoppingToken).ConfigureAwait(false));
                        await ObserveConflictsAsync(stoppingToken).ConfigureAwait(false);
                    }

                    await PurgeIfDueAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is NpgsqlException or TimeoutException && !stoppingToken.IsCancellationRequested)
                {
                    Log.CycleFailed(_logger, ex, _host.PollInterval);
                    if (listener is not null)
                    {
                        await listener.DisposeAsync().ConfigureAwait(false);
                        listener = null;
                    }
                }

                if (!moreWork)
                {
                    listener = await WaitAsync(listener, backoffs, stoppingToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            if (listener is not null)
            {
                await listener.DisposeAsync().ConfigureAwait(false);
            }

            await _copies.ConfigureAwait(false);
            Log.Stopped(_logger);
        }
    }

    /// <summary>
    /// Runs the installer until it succeeds, and returns the destinations this node replays to. When
    /// it fails (typically: one destination is unreachable at start-up) but an earlier install is in
    /// place, it returns at once so that the queue keeps draining to the destinations that are up;
    /// the main loop then retries the install with backoff (<see cref="_installDue"/>).
    /// </summary>
    private async Task<IReadOnlyList<string>> InstallAsync(CancellationToken ct)
    {
        var plan = InstallPlan.Create(_options, _tables.All);
        var servers = plan.Servers.Select(s => s.Name).ToList();
        if (!_host.InstallOnStart)
        {
            _installed.TrySetResult();
            StartCopies(ct);
            return servers;
        }

        var delay = _host.MinBackoff;
        while (true)
        {
            if (await TryInstallAsync(plan, servers, delay, ct).ConfigureAwait(false))
            {
                return servers;
            }

            if (await QueueExistsAsync(ct).ConfigureAwait(false))
            {
                _installDelay = delay;
                _installDue = _time.GetUtcNow() + delay;
                return servers;
            }

            await Task.Delay(delay, _time, ct).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _host.MaxBackoff.Ticks));
        }
    }

    /// <summary>Retries a start-up install that failed while an earlier one kept replication running.</summary>
    private async Task RetryInstallIfDueAsync(CancellationToken ct)
    {
        if (_installDue is not { } due || due > _time.GetUtcNow())
        {
            return;
        }

        var plan = InstallPlan.Create(_options, _tables.All);
        if (await TryInstallAsync(plan, plan.Servers.Select(s => s.Name).ToList(), _installDelay, ct).ConfigureAwait(false))
        {
            _installDue = null;
            return;
        }

        _installDelay = TimeSpan.FromTicks(Math.Min(_installDelay.Ticks * 2, _host.MaxBackoff.Ticks));
        _installDue = _time.GetUtcNow() + _installDelay;
    }

    private async Task<bool> TryInstallAsync(InstallPlan plan, IReadOnlyList<string> servers, TimeSpan retryDelay, CancellationToken ct)
    {
        try
        {
            // The installer logs to the worker's logger: each start-up install's steps and outcome (events 1000-1003).
            // The initial copies it records run beside the replay (RunCopiesAsync), not before it.
            await PgSyncInstallation.InstallAsync(_local, _options, _tables.All, _logger, copy: false, ct).ConfigureAwait(false);
            Log.Installed(_logger, plan.Tables.Count, servers); // joined ("a, b") only when the level is on
            _installed.TrySetResult();
            StartCopies(ct);
            return true;
        }
        catch (Exception ex) when (ex is PgSyncInstallException or NpgsqlException or TimeoutException && !ct.IsCancellationRequested)
        {
            Log.InstallFailed(_logger, ex, retryDelay);
            return false;
        }
    }

    /// <summary>Runs the recorded initial copies in the background, unless they run already.</summary>
    private void StartCopies(CancellationToken ct)
    {
        if (_copies.IsCompleted)
        {
            _copies = RunCopiesAsync(ct);
        }
    }

    /// <summary>
    /// Runs every pending or unfinished initial copy to the end, beside the replay loop (both apply through
    /// the destination's lock, so they take turns); a failure is logged and retried with backoff.
    /// </summary>
    private async Task RunCopiesAsync(CancellationToken ct)
    {
        await Task.Yield();
        // The worker's own loop applies the chunks (a chunk's NOTIFY wakes it), so its metrics count them.
        var copier = new PgSyncCopier(_local, _options, _logger, apply: false);
        var delay = _host.MinBackoff;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                try
                {
                    if (!(await copier.RunAsync(_tables.All, ct: ct).ConfigureAwait(false)).Any(c => c.IsRunning))
                    {
                        return;
                    }
                }
                catch (Exception ex) when (ex is NpgsqlException or TimeoutException && !ct.IsCancellationRequested)
                {
                    Log.CycleFailed(_logger, ex, delay);
                }

                await Task.Delay(delay, _time, ct).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _host.MaxBackoff.Ticks));
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopping: the copy resumes after its last chunk at the next start.
        }
    }

    /// <summary>Whether an earlier install left the queue in place (so capture is running and replay can go on).</summary>
    private async Task<bool> QueueExistsAsync(CancellationToken ct)
    {
        try
        {
            var connection = await _local.OpenConnectionAsync(ct).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                var command = new NpgsqlCommand(PgSyncQueue.Exists, connection);
                await using (command.ConfigureAwait(false))
                {
                    command.Parameters.Add(new NpgsqlParameter { Value = PgSyncQueue.QueueName(_options.Schema) });
                    return (bool)(await command.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
                }
            }
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException && !ct.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>Applies one batch to one destination; returns true when a batch went (more may wait).</summary>
    private async Task<bool> DrainOneBatchAsync(DestinationBackoff backoff, CancellationToken stoppingToken)
    {
        var watch = Stopwatch.StartNew();
        long rows = 0;
        int applied;
        string? error = null;
        long? entry = null;
        string? table = null;

        // The batch is not cancelled by shutdown: it commits or rolls back whole within the timeout.
        var connection = await _local.OpenConnectionAsync(stoppingToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var transaction = await connection.BeginTransactionAsync(CancellationToken.None).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                await Commands.ExecuteAsync(connection, PgSyncQueue.LockStream(_options.Schema), CancellationToken.None, backoff.Server, backoff.Channel).ConfigureAwait(false);

                await SetRemoteTimeoutAsync(connection, transaction, CancellationToken.None).ConfigureAwait(false);
                await Commands.ExecuteAsync(connection, PgSyncQueue.SetBatchBytes, CancellationToken.None, _host.BatchBytes.ToString(System.Globalization.CultureInfo.InvariantCulture)).ConfigureAwait(false);

                // Under the stream's lock, only entries committed meanwhile can join. Whether any
                // waits, not how many: a count per batch would make a long backlog drain quadratically.
                if (!await ScalarAsync<bool>(connection, PgSyncQueue.AnyQueued(_options.Schema), CancellationToken.None, backoff.Server, backoff.Channel).ConfigureAwait(false))
                {
                    await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
                    OnSuccess(backoff);
                    return false;
                }

                // No client-side bound on the batch (Npgsql's default is 30 s): each of its waits for the
                // destination ends after RemoteTimeout, and a batch of whole source transactions may rightly
                // take longer than any fixed bound (a statement of millions of rows); a client timeout would
                // cancel it every time, and the stream would never drain.
                var apply = new NpgsqlCommand(PgSyncQueue.Apply(_options.Schema), connection, transaction) { CommandTimeout = 0 };
                await using (apply.ConfigureAwait(false))
                {
                    apply.Parameters.Add(new NpgsqlParameter { Value = backoff.Server });
                    apply.Parameters.Add(new NpgsqlParameter { Value = backoff.Channel });
                    apply.Parameters.Add(new NpgsqlParameter { Value = _host.BatchSize });
                    applied = (int)(await apply.ExecuteScalarAsync(CancellationToken.None).ConfigureAwait(false))!;
                }

                if (applied > 0)
                {
                    var carried = new NpgsqlCommand(PgSyncQueue.AppliedRows, connection, transaction);
                    await using (carried.ConfigureAwait(false))
                    {
                        rows = long.Parse((string)(await carried.ExecuteScalarAsync(CancellationToken.None).ConfigureAwait(false))!, System.Globalization.CultureInfo.InvariantCulture);
                    }
                }

                if (applied == 0)
                {
                    // apply_pending recorded why; a later statement sees it.
                    var why = new NpgsqlCommand(
                        PgSyncQueue.LastError(_options.Schema),
                        connection,
                        transaction);
                    await using (why.ConfigureAwait(false))
                    {
                        why.Parameters.Add(new NpgsqlParameter { Value = backoff.Server });
                        why.Parameters.Add(new NpgsqlParameter { Value = backoff.Channel });
                        var reader = await why.ExecuteReaderAsync(CancellationToken.None).ConfigureAwait(false);
                        await using (reader.ConfigureAwait(false))
                        {
                            if (await reader.ReadAsync(CancellationToken.None).ConfigureAwait(false))
                            {
                                error = reader.IsDBNull(0) ? null : reader.GetString(0);
                                entry = reader.IsDBNull(1) ? null : reader.GetInt64(1);
                                table = reader.IsDBNull(2) ? null : reader.GetString(2);
                            }
                        }
                    }
                }

                await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }

        if (applied == 0)
        {
            _metrics.Failed(backoff.Server, backoff.Channel, watch.Elapsed);
            var now = _time.GetUtcNow();
            if (backoff.Fail(now, _random))
            {
                var pending = await DepthAsync(backoff, stoppingToken).ConfigureAwait(false);
                Log.DestinationDown(_logger, backoff.Name, error ?? "unknown error", entry, table, pending);
            }
            else
            {
                Log.StillDown(_logger, backoff.Name, error ?? "unknown error", entry, table, backoff.NextAttempt - now);
            }

            return false;
        }

        _metrics.Applied(backoff.Server, backoff.Channel, applied, rows, watch.Elapsed);
        Log.Applied(_logger, applied, rows, backoff.Name, watch.ElapsedMilliseconds);
        OnSuccess(backoff);
        // More may wait: a batch stops at BatchSize entries or BatchBytes, whichever comes first; the next
        // turn's EXISTS probe tells.
        return true;
    }

    /// <summary>
    /// Vacuums the queue's tables every 10 seconds, as PgQ's ticker does: every applied entry and every
    /// Sync commit leave dead rows, and between autovacuum's rounds (a minute apart by default) a busy
    /// queue's head, which every batch and every commit reads, would sit behind a growing run of them.
    /// Cheap when little changed (the visibility map skips clean pages); SKIP_LOCKED: another worker's
    /// vacuum is as good.
    /// </summary>
    private async Task VacuumIfDueAsync(List<DestinationBackoff> streams, CancellationToken ct)
    {
        if (_time.GetUtcNow() < _vacuumDue)
        {
            return;
        }

        _vacuumDue = _time.GetUtcNow() + VacuumInterval;
        var connection = await _local.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var tables = string.Join(", ", new[] { SqlNames.Queue, SqlNames.SyncPending, SqlNames.DestinationState }.Select(t => PgSql.QualifiedName(_options.Schema, t)));
            await Commands.ExecuteAsync(connection, "VACUUM (SKIP_LOCKED) " + tables, ct).ConfigureAwait(false);
            // And each reachable destination's record of what it applied, which churns as fast as the
            // queue (vacuum_applied says why the destination's autovacuum is not enough), waiting for
            // it no longer than for an apply: a destination that stops answering must not hold the
            // worker past RemoteTimeout here either.
            foreach (var server in streams.Where(s => s.DownSince is null).Select(s => s.Server).Distinct(StringComparer.Ordinal).ToList())
            {
                await ScalarWithRemoteTimeoutAsync(connection, PgSyncQueue.VacuumApplied(_options.Schema), server, ct).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Adds to <c>pgsync.conflicts</c> what the conflict totals grew by since the last look (one query); the
    /// first look only notes where they stand, so the counter holds what this worker saw happen. The totals
    /// are kept as records commit, so none is missed for committing after a later one. A total lower than at
    /// the last look (the RoslynPgSync schema made again) counts from zero.
    /// </summary>
    private async Task ObserveConflictsAsync(CancellationToken ct)
    {
        // (Summed per name: "a.b"."c" and "a"."b.c" are one name to the metric's tag.)
        var totals = (await _monitor.GetConflictTotalsAsync(ct).ConfigureAwait(false))
            .GroupBy(t => (t.Table, t.Kind, t.Resolution))
            .ToDictionary(g => g.Key, g => g.Sum(t => t.Recorded));
        var seen = _conflictsSeen;
        _conflictsSeen = totals;
        if (seen is null)
        {
            return;
        }

        var grown = new List<ConflictTotal>();
        foreach (var ((table, kind, resolution), recorded) in totals)
        {
            var before = seen.GetValueOrDefault((table, kind, resolution));
            var added = recorded >= before ? recorded - before : recorded;
            if (added > 0)
            {
                grown.Add(new ConflictTotal(table, kind, resolution, added));
            }
        }

        _metrics.Conflicts(grown);
    }

    /// <summary>
    /// Every minute: conflict records older than <see cref="PgSyncHostOptions.ConflictRetention"/> and the
    /// tombstones of this node's row versions older than <see cref="PgSyncHostOptions.TombstoneRetention"/> go.
    /// </summary>
    private async Task PurgeIfDueAsync(CancellationToken ct)
    {
        if (_time.GetUtcNow() < _purgeDue)
        {
            return;
        }

        _purgeDue = _time.GetUtcNow() + PurgeInterval;
        var records = _tables.All.Where(t => t.DetectsConflicts).Select(t => t.RowVersions).Distinct(StringComparer.Ordinal).ToArray();
        var connection = await _local.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var command = new NpgsqlCommand(PgSyncQueue.PurgeResolved(_options.Schema), connection)
            {
                Parameters =
                {
                    new() { Value = _host.ConflictRetention },
                    new() { Value = _host.TombstoneRetention },
                    new() { Value = records },
                },
            };
            await using (command.ConfigureAwait(false))
            {
                await command.ExecuteScalarAsync(ct).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Entries queued in the stream (only when it went down: the log says how many wait).</summary>
    private async Task<long> DepthAsync(DestinationBackoff stream, CancellationToken ct)
    {
        var connection = await _local.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            return await ScalarAsync<long>(connection, PgSyncQueue.StreamDepth(_options.Schema), ct, stream.Server, stream.Channel).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Adds the channels that have entries queued for one of <paramref name="servers"/> but that no model
    /// names (any more), so that their entries drain too.
    /// </summary>
    private async Task FindQueuedChannelsAsync(IReadOnlyList<string> servers, List<DestinationBackoff> backoffs, CancellationToken ct)
    {
        var connection = await _local.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            foreach (var server in servers)
            {
                foreach (var channel in await Commands.ListAsync<string>(connection, PgSyncQueue.QueuedChannels(_options.Schema), ct, server).ConfigureAwait(false))
                {
                    if (!backoffs.Exists(b => b.Server == server && b.Channel == channel))
                    {
                        backoffs.Add(new DestinationBackoff(server, channel, _host.MinBackoff, _host.MaxBackoff));
                    }
                }
            }
        }
    }

    /// <summary>
    /// Settles what the destination recorded as applied (its own transaction: the table locks a restore
    /// takes end with it). Best effort: a destination that is down is the replay's to report.
    /// </summary>
    private async Task ResolveAsync(string server, CancellationToken ct)
    {
        var connection = await _local.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            // resolve_applied reports a settle that failed on the destination as a WARNING and returns (so the
            // replay goes on): its only trace, unless it is logged here.
            var failures = new List<string>();
            void OnNotice(object sender, NpgsqlNoticeEventArgs e)
            {
                if (e.Notice.InvariantSeverity == "WARNING" && e.Notice.MessageText.StartsWith("RoslynPgSync:", StringComparison.Ordinal))
                {
                    failures.Add(e.Notice.MessageText);
                }
            }

            connection.Notice += OnNotice;
            try
            {
                var restored = (int)(await ScalarWithRemoteTimeoutAsync(connection, PgSyncQueue.Resolve(_options.Schema), server, ct).ConfigureAwait(false))!;
                if (restored > 0)
                {
                    Log.Restored(_logger, server, restored);
                }
            }
            finally
            {
                connection.Notice -= OnNotice;
                foreach (var failure in failures)
                {
                    Log.SettleFailed(_logger, server, failure);
                }
            }
        }
    }

    /// <summary>
    /// <paramref name="sql"/> (one parameter: <paramref name="server"/>) in a transaction of its own whose waits
    /// for the destination end after <see cref="PgSyncHostOptions.RemoteTimeout"/>; returns its scalar.
    /// </summary>
    private async Task<object?> ScalarWithRemoteTimeoutAsync(NpgsqlConnection connection, string sql, string server, CancellationToken ct)
    {
        var transaction = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            await SetRemoteTimeoutAsync(connection, transaction, ct).ConfigureAwait(false);
            var command = new NpgsqlCommand(sql, connection, transaction);
            await using (command.ConfigureAwait(false))
            {
                command.Parameters.Add(new NpgsqlParameter { Value = server });
                var result = await command.ExecuteScalarAsync(ct).ConfigureAwait(false);
                await transaction.CommitAsync(ct).ConfigureAwait(false);
                return result;
            }
        }
    }

    /// <summary>The worker's waits for a destination end after <see cref="PgSyncHostOptions.RemoteTimeout"/> (pgsync.remote_timeout, transaction-local).</summary>
    private async Task SetRemoteTimeoutAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken ct)
    {
        var command = new NpgsqlCommand(PgSyncQueue.SetRemoteTimeout, connection, transaction);
        await using (command.ConfigureAwait(false))
        {
            command.Parameters.Add(new NpgsqlParameter
            {
                Value = Math.Ceiling(_host.RemoteTimeout.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture) + " milliseconds",
            });
            await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
    }

    private void OnSuccess(DestinationBackoff backoff)
    {
        if (backoff.Succeed(_time.GetUtcNow()) is { } downtime)
        {
            Log.DestinationBack(_logger, backoff.Name, downtime);
        }
    }

    private async Task<NpgsqlConnection> ListenAsync(CancellationToken ct)
    {
        var connection = await _local.OpenConnectionAsync(ct).ConfigureAwait(false);
        connection.Notification += (_, e) =>
        {
            if (e.Payload.StartsWith(PgSyncQueue.RetryPrefix, StringComparison.Ordinal))
            {
                _retryNow.Enqueue(e.Payload[PgSyncQueue.RetryPrefix.Length..]);
            }
        };
        var listen = new NpgsqlCommand(PgSyncQueue.Listen, connection);
        await using (listen.ConfigureAwait(false))
        {
            await listen.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }

        return connection;
    }

    /// <summary>Waits for a NOTIFY, the poll interval or the next backoff expiry, whichever comes first.</summary>
    private async Task<NpgsqlConnection?> WaitAsync(NpgsqlConnection? listener, List<DestinationBackoff> backoffs, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        var wait = _host.PollInterval < _host.ResolveInterval ? _host.PollInterval : _host.ResolveInterval;
        foreach (var backoff in backoffs.Where(b => b.NextAttempt > now))
        {
            var untilRetry = backoff.NextAttempt - now;
            wait = untilRetry < wait ? untilRetry : wait;
        }

        // Npgsql takes whole milliseconds and reads 0 as "no time-out": never pass less than 10 ms.
        wait = TimeSpan.FromMilliseconds(Math.Max(10, Math.Ceiling(wait.TotalMilliseconds)));
        if (listener is null)
        {
            await Task.Delay(wait, _time, ct).ConfigureAwait(false);
            return null;
        }

        try
        {
            await listener.WaitAsync(wait, ct).ConfigureAwait(false);
            return listener;
        }
        catch (NpgsqlException ex)
        {
            Log.ListenLost(_logger, ex);
            await listener.DisposeAsync().ConfigureAwait(false);
            return null;
        }
    }
}

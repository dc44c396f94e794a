using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using RoslynPgSync.Copy;
using RoslynPgSync.Generated;
using RoslynPgSync.Installation;
using RoslynPgSync.TestCluster;
using RoslynPgSync.Verification;

namespace RoslynPgSync.Bench;

/// <summary>
/// The copy workload (issue 15), on the run's one cluster:
/// <list type="number">
/// <item>A table of the seed's shape that already holds its rows, made to replicate: ours installs
/// with the initial copy (<see cref="PgSyncInstallation.InstallAsync(NpgsqlDataSource, PgSyncOptions, IReadOnlyList{ReplicatedTable}, CancellationToken)"/>
/// returns when it is done), native creates a publication, a slot and a subscription with
/// <c>copy_data = true</c> and waits for the table's <c>srsubstate = 'r'</c>. Both end to end, from the
/// rows alone to the rows on the destination; repetitions alternate.</item>
/// <item>Single-row INSERTs on another replicated table (async, queue not replayed meanwhile) by 1 and 4
/// clients for a fixed time, first with no copy running, then while the table is copied again
/// (<see cref="PgSyncCopier.RestartAsync"/> with replace, then <see cref="PgSyncCopier.RunAsync"/>: the
/// install's copy loop); the writers stop early if the copy ends first.</item>
/// <item><see cref="PgSyncVerifier.VerifyAsync(IReadOnlyList{ReplicatedTable}, CancellationToken)"/> on the
/// copied pair, equal and then with 100 rows made different on the destination, its connections routed
/// through a <see cref="ByteCountingProxy"/>; beside it the bytes of the table and of a COPY of it
/// through the same kind of proxy.</item>
/// </list>
/// </summary>
internal static class CopyBenchmark
{
    private const string Table = "bench.t_copy";
    private const string Server = "bench_copy";
    private const string WriterTable = "bench.t_async";
    private const string NativeTable = "bench.t_native";
    private static readonly int[] ClientCounts = { 1, 4 };

    public static async Task<CopyReport> RunAsync(PostgresCluster cluster, int rows, int repetitions, TimeSpan interval, TextWriter log, CancellationToken ct)
    {
        var ours = new List<CopyRun>();
        var native = new List<CopyRun>();
        var writers = new List<WriterRun>();
        var writersEqual = false;
        TableBytes? table = null;
        var verifies = new List<VerifyRun>();
        for (var repetition = 0; repetition < repetitions; repetition++)
        {
            native.Add(await NativeAsync(cluster, rows, log, ct));
            var builder = TestBed.Create().On(cluster).Pair(Server, "bench_async").Configure("local", o => o.NodeName = "bench");
            await using var bed = await FilledAsync(builder, Table, rows, ct);
            ours.Add(await OursAsync(bed, rows, log, ct));
            if (repetition == repetitions - 1)
            {
                (writers, writersEqual) = await WritersAsync(bed, interval, log, ct);
                (table, verifies) = await VerifyAsync(bed, rows, log, ct);
            }
        }

        return new CopyReport(rows, ours, native, writers, writersEqual, table!, verifies);
    }

    /// <summary>The bed, with <paramref name="table"/> on both sides, <paramref name="rows"/> rows (vacuumed and analyzed) on the source only.</summary>
    private static async Task<TestBed> FilledAsync(TestBedBuilder builder, string table, int rows, CancellationToken ct)
    {
        var bed = await builder.BuildAsync(ct);
        try
        {
            var create = BenchSql.SeedTable(table["bench.".Length..]);
            await BenchSql.ExecuteAsync(bed.Local.ConnectionString, create + ";" + BenchSql.InsertRows(table, 1, rows), ct);
            await BenchSql.ExecuteAsync(bed.Local.ConnectionString, $"VACUUM (ANALYZE) {table}", ct);
            await BenchSql.ExecuteAsync(bed.Remote.ConnectionString, create, ct);
            return bed;
        }
        catch
        {
            await bed.DisposeAsync();
            throw;
        }
    }

    /// <summary>Ours: the install with its initial copy, until it returns with the copy done.</summary>
    private static async Task<CopyRun> OursAsync(TestBed bed, int rows, TextWriter log, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        await PgSyncInstallation.InstallAsync(bed.LocalSource, bed.Options, PgSyncInstaller.Tables, ct);
        var elapsed = watch.Elapsed;
        var copy = await ProgressAsync(new PgSyncCopier(bed.LocalSource, bed.Options), ct);
        var run = new CopyRun(elapsed, copy.FinishedAt - copy.StartedAt, copy.Status == CopyStatus.Done && await EqualAsync(bed, Table, ct));
        await log.WriteLineAsync(run.Line("ours  ", rows));
        return run;
    }

    /// <summary>Native: publication, slot and subscription with copy_data, until the table is ready ('r').</summary>
    private static async Task<CopyRun> NativeAsync(PostgresCluster cluster, int rows, TextWriter log, CancellationToken ct)
    {
        await using var bed = await FilledAsync(TestBed.Create().On(cluster).Node("local").Node("remote"), NativeTable, rows, ct);
        var watch = Stopwatch.StartNew();
        await BenchSql.SubscribeAsync(bed.Local, bed.Remote, NativeTable, copyData: true, ct);
        try
        {
            var deadline = DateTime.UtcNow.AddMinutes(10);
            var ready = $"SELECT coalesce(bool_and(srsubstate = 'r'), false) FROM pg_subscription_rel WHERE srrelid = '{NativeTable}'::regclass";
            while (await BenchSql.ScalarAsync(bed.Remote.AdminConnectionString, ready, ct) is not true && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20, ct);
            }

            var run = new CopyRun(watch.Elapsed, null, await EqualAsync(bed, NativeTable, ct));
            await log.WriteLineAsync(run.Line("native", rows));
            return run;
        }
        finally
        {
            await BenchSql.DropSubscriptionAsync(bed.Remote);
        }
    }

    /// <summary>Per client count: the writers' tps with no copy running, then during a copy of the table; at the end the writers' queue replayed and their table compared.</summary>
    private static async Task<(List<WriterRun> Runs, bool Equal)> WritersAsync(TestBed bed, TimeSpan interval, TextWriter log, CancellationToken ct)
    {
        var copier = new PgSyncCopier(bed.LocalSource, bed.Options);
        var runs = new List<WriterRun>();
        for (var run = 0; run < ClientCounts.Length; run++)
        {
            var clients = ClientCounts[run];
            var before = await OltpBenchmark.WriteAsync(bed.Local.ConnectionString, WriterTable, clients, "insert", run * 2, new int[clients], interval, CancellationToken.None, ct);
            await copier.RestartAsync(PgSyncInstaller.Tables, replace: true, Table, ct);
            using var copying = new CancellationTokenSource();
            var copy = CopyAsync(copier, copying, ct);
            var watch = Stopwatch.StartNew();
            var during = await OltpBenchmark.WriteAsync(bed.Local.ConnectionString, WriterTable, clients, "insert", run * 2 + 1, new int[clients], interval, copying.Token, ct);
            var writing = watch.Elapsed;
            var progress = (await copy).Single(p => p.Table == Table);
            var result = new WriterRun(clients, before, during, writing, progress.FinishedAt - progress.StartedAt, progress.Status == CopyStatus.Done && await EqualAsync(bed, Table, ct));
            runs.Add(result);
            await log.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"  copy writers {clients} client(s): {before,7:F0} tps before, {during,7:F0} tps during ({during / before * 100:F0}%, {writing.TotalSeconds:F1} s){(result.Equal ? string.Empty : "  COPY DESTINATION DIFFERS")}"));
        }

        while (await bed.ReplayAsync(10_000) > 0)
        {
        }

        return (runs, await EqualAsync(bed, WriterTable, ct));
    }

    /// <summary>Runs the copies, then cancels <paramref name="copying"/> so the writers stop with them.</summary>
    private static async Task<IReadOnlyList<CopyProgress>> CopyAsync(PgSyncCopier copier, CancellationTokenSource copying, CancellationToken ct)
    {
        try
        {
            return await copier.RunAsync(PgSyncInstaller.Tables, ct: ct);
        }
        finally
        {
            await copying.CancelAsync();
        }
    }

    /// <summary>The table's bytes, then the verifier on the equal pair and on the pair with 100 differences made on the destination.</summary>
    private static async Task<(TableBytes Table, List<VerifyRun> Runs)> VerifyAsync(TestBed bed, int rows, TextWriter log, CancellationToken ct)
    {
        var relation = Convert.ToInt64(await BenchSql.ScalarAsync(bed.Local.ConnectionString, $"SELECT pg_total_relation_size('{Table}')", ct), CultureInfo.InvariantCulture);
        var watch = Stopwatch.StartNew();
        var (characters, copied) = await ByteCountingProxy.MeasureAsync(bed.Local.Host, bed.Local.Port, proxy => ExportAsync(proxy.Route(bed.Local.ConnectionString), ct));
        var table = new TableBytes(relation, copied.Total, characters, watch.Elapsed);
        await log.WriteLineAsync($"  copy verify: {Table} is {relation:N0} bytes (pg_total_relation_size), a COPY TO STDOUT of it {copied.Total:N0} bytes on the wire in {table.CopyTime.TotalMilliseconds:F0} ms");
        var runs = new List<VerifyRun> { await VerifyOnceAsync(bed, "equal", expected: (0, 0, 0), log, ct) };

        // 50 rows changed, 25 deleted (missing on the destination), 25 added (extra), spread over the keys.
        await BenchSql.ExecuteAsync(
            bed.Remote.ConnectionString,
            $"UPDATE {Table} SET info = 'changed' WHERE pk1 % {rows / 50} = 7; DELETE FROM {Table} WHERE pk1 % {rows / 25} = 11; {BenchSql.InsertRows(Table, rows + 1, rows + 25)}",
            ct);
        runs.Add(await VerifyOnceAsync(bed, "100 rows differ", expected: (25, 25, 50), log, ct));
        return (table, runs);
    }

    private static async Task<VerifyRun> VerifyOnceAsync(TestBed bed, string pair, (int Missing, int Extra, int Changed) expected, TextWriter log, CancellationToken ct)
    {
        var tables = PgSyncInstaller.Tables.Where(t => t.ToString() == Table).ToList();
        var watch = new Stopwatch();
        var (result, proxy) = await ByteCountingProxy.MeasureAsync(bed.Local.Host, bed.Local.Port, async proxy =>
        {
            await using var local = NpgsqlDataSource.Create(proxy.Route(bed.Local.ConnectionString));
            var options = new PgSyncOptions().AddServer(Server, proxy.Route(bed.Remote.ConnectionString));
            watch.Start();
            var results = await new PgSyncVerifier(local, options).VerifyAsync(tables, ct);
            watch.Stop();
            return results.Single();
        });
        var found = (result.Missing.Count, result.Extra.Count, result.Changed.Count);
        var run = new VerifyRun(pair, watch.Elapsed, proxy.ToServer, proxy.ToClient, result.KeysRead, found, found == expected);
        await log.WriteLineAsync($"  copy verify {pair,-16} {run.Elapsed.TotalMilliseconds,8:F0} ms, {run.ToServer + run.ToClient,12:N0} bytes, {run.KeysRead:N0} keys read: {result}{(run.AsExpected ? string.Empty : "  UNEXPECTED")}");
        return run;
    }

    /// <summary>A COPY of the table to this process, read and thrown away; returns the characters it carried.</summary>
    private static async Task<long> ExportAsync(string connectionString, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        using var reader = await connection.BeginTextExportAsync($"COPY {Table} TO STDOUT", ct);
        var buffer = new char[64 * 1024];
        long characters = 0;
        int read;
        while ((read = await reader.ReadAsync(buffer, ct)) > 0)
        {
            characters += read;
        }

        return characters;
    }

    private static async Task<CopyProgress> ProgressAsync(PgSyncCopier copier, CancellationToken ct) =>
        (await copier.GetProgressAsync(ct)).Single(p => p.Table == Table);

    private static async Task<bool> EqualAsync(TestBed bed, string table, CancellationToken ct) =>
        await BenchSql.DigestAsync(bed.Local.ConnectionString, table, ct) == await BenchSql.DigestAsync(bed.Remote.ConnectionString, table, ct);

    public static string Markdown(CopyReport report)
    {
        var rows = report.Rows;
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"\n## copy ({rows:N0} rows)\n\n");
        text.Append(CultureInfo.InvariantCulture, $"Machine note: {Environment.ProcessorCount} cores, shared: other work (builds and test runs in other worktrees) may have run at the same time as this run, and source, destination, PostgreSQL's workers and this process share the cores, so expect noise of tens of percent; every comparison is between runs of this one run.\n\n");
        text.Append("The issue 15 copy workload on the run's one cluster, source and destination two databases of it, the table of the seed's shape (pk1 int, pk2 text = md5, info text, two timestamp(0); composite key), its rows written and then `VACUUM (ANALYZE)`d before replication is set up.\n\n");
        text.Append("### Initial copy\n\n");
        text.Append("End to end, from a source table that holds the rows (destination table empty, same shape) to every row on the destination. Ours: `PgSyncInstallation.InstallAsync` with `InitialCopy = WhenTargetEmpty` and the default 10,000-row chunks (it installs two tables, the copied one and the empty `bench.t_async`, and returns when the copies are done); \"copy alone\" is `copy_status`'s started_at to finished_at. Native: `CREATE PUBLICATION`, a slot made beforehand (same-cluster subscriptions need it) and `CREATE SUBSCRIPTION ... WITH (copy_data = true)`, until `pg_subscription_rel.srsubstate = 'r'` for the table (polled every 20 ms). Runs alternate native, ours; the destination equals the source after each (count and hash). \"Speed relative to native\" is native's median time over the row's; the copy alone against native's end to end is not like for like (native's own set-up is in its time) and is there to show what the install itself costs.\n\n");
        text.Append("| | ").Append(string.Join(" | ", report.Ours.Select((_, i) => $"run {i + 1} ms"))).Append(" | median ms | rows/s | speed relative to native | equal |\n");
        text.Append("|---|").Append(string.Concat(report.Ours.Select(_ => "---:|"))).Append("---:|---:|---:|---|\n");
        var native = BulkBenchmark.Median(report.Native.Select(r => r.Elapsed));
        Row(text, "native (publication + subscription, table sync)", report.Native.Select(r => r.Elapsed).ToList(), rows, native, report.Native.All(r => r.Equal));
        Row(text, "ours (install + initial copy)", report.Ours.Select(r => r.Elapsed).ToList(), rows, native, report.Ours.All(r => r.Equal));
        Row(text, "ours, the copy alone", report.Ours.Select(r => r.Copy ?? TimeSpan.Zero).ToList(), rows, native, report.Ours.All(r => r.Equal));
        var ours = BulkBenchmark.Median(report.Ours.Select(r => r.Elapsed));
        text.Append(CultureInfo.InvariantCulture, $"\nOurs {rows / ours.TotalSeconds:F0} rows/s against native's {rows / native.TotalSeconds:F0} rows/s end to end: ours takes {ours / native:F1}x native's time.\n");

        text.Append("\n### Concurrent writers\n\n");
        text.Append(CultureInfo.InvariantCulture, $"Single-row INSERTs (autocommit, prepared; the oltp workload's writer loop) on another replicated table, `{WriterTable}` (async, its queue not replayed while they write, replayed at the end), each client on its own connection, for the same fixed time with no copy running and then while `{Table}` is copied again (`PgSyncCopier.RestartAsync(replace: true)` and `RunAsync`, the install's copy loop); the writers stop early if the copy ends first (\"writing during the copy\"). Transactions per second, all clients together.\n\n");
        text.Append("| clients | tps before the copy | tps during the copy | during / before | writing during the copy (s) | the copy took (s) | copy equal |\n|---:|---:|---:|---:|---:|---:|---|\n");
        foreach (var run in report.Writers)
        {
            text.Append(CultureInfo.InvariantCulture, $"| {run.Clients} | {run.Before:F0} | {run.During:F0} | {run.During / run.Before * 100:F0}% | {run.Writing.TotalSeconds:F1} | {run.Copy?.TotalSeconds:F1} | {(run.Equal ? "yes" : "NO")} |\n");
        }

        text.Append("\nThe writers' table equal to its destination after the replay: ").Append(report.WritersEqual ? "yes" : "NO").Append(".\n");

        text.Append("\n### Verify\n\n");
        var table = report.Table;
        text.Append(CultureInfo.InvariantCulture, $"`PgSyncVerifier.VerifyAsync` on the copied pair ({rows:N0} rows a side), equal, then with 100 rows made different on the destination (50 changed, 25 deleted, 25 added). Bytes: both of the verifier's connections (source and destination) routed through a forwarding TCP proxy on localhost (`ByteCountingProxy`, unpooled connections, TCP payload both ways, startup and authentication included). For comparison the source table is {table.Relation:N0} bytes (`pg_total_relation_size`), and a `COPY {Table} TO STDOUT` through the same proxy carried {table.CopyWire:N0} bytes ({table.CopyCharacters:N0} characters of rows) in {table.CopyTime.TotalMilliseconds:F0} ms: what shipping one side whole would cost (a naive comparison ships both).\n\n");
        text.Append("| pair | verify ms | bytes to the servers | bytes from the servers | total bytes | of one side's COPY | keys read | missing / extra / changed found | as expected |\n|---|---:|---:|---:|---:|---:|---:|---|---|\n");
        foreach (var run in report.Verifies)
        {
            var total = run.ToServer + run.ToClient;
            text.Append(CultureInfo.InvariantCulture, $"| {run.Pair} | {run.Elapsed.TotalMilliseconds:F0} | {run.ToServer:N0} | {run.ToClient:N0} | {total:N0} | {(double)total / table.CopyWire * 100:F2}% | {run.KeysRead:N0} | {run.Found.Missing} / {run.Found.Extra} / {run.Found.Changed} | {(run.AsExpected ? "yes" : "NO")} |\n");
        }

        return text.ToString();
    }

    private static void Row(StringBuilder text, string name, List<TimeSpan> runs, int rows, TimeSpan native, bool equal)
    {
        var median = BulkBenchmark.Median(runs);
        text.Append("| ").Append(name);
        foreach (var run in runs)
        {
            text.Append(CultureInfo.InvariantCulture, $" | {run.TotalMilliseconds:F0}");
        }

        text.Append(CultureInfo.InvariantCulture, $" | {median.TotalMilliseconds:F0} | {rows / median.TotalSeconds:F0} | {native / median * 100:F0}% | {(equal ? "yes" : "NO")} |\n");
    }
}

/// <summary>One initial copy: end to end, and (ours) the copy alone.</summary>
internal sealed record CopyRun(TimeSpan Elapsed, TimeSpan? Copy, bool Equal)
{
    public string Line(string who, int rows) =>
        string.Create(CultureInfo.InvariantCulture, $"  copy {who} {Elapsed.TotalMilliseconds,8:F0} ms, {rows / Elapsed.TotalSeconds,9:F0} rows/s{(Copy is { } copy ? $" (the copy alone {copy.TotalMilliseconds:F0} ms)" : string.Empty)}{(Equal ? string.Empty : "  DESTINATION DIFFERS")}");
}

/// <summary>Writers' tps before and during a copy; how long they wrote during it, how long it took, whether it ended equal.</summary>
internal sealed record WriterRun(int Clients, double Before, double During, TimeSpan Writing, TimeSpan? Copy, bool Equal);

/// <summary>The copied table's size, and the bytes and characters a COPY of it carried, and how long that took.</summary>
internal sealed record TableBytes(long Relation, long CopyWire, long CopyCharacters, TimeSpan CopyTime);

/// <summary>One verify: its time, the bytes its connections exchanged, what it found and whether that is what was made.</summary>
internal sealed record VerifyRun(string Pair, TimeSpan Elapsed, long ToServer, long ToClient, long KeysRead, (int Missing, int Extra, int Changed) Found, bool AsExpected);

/// <summary>Everything the copy workload measured.</summary>
internal sealed record CopyReport(int Rows, List<CopyRun> Ours, List<CopyRun> Native, List<WriterRun> Writers, bool WritersEqual, TableBytes Table, List<VerifyRun> Verifies)
{
    /// <summary>Every destination ended equal and the verifier found exactly the differences made.</summary>
    public bool Ok => Ours.All(r => r.Equal) && Native.All(r => r.Equal) && Writers.All(r => r.Equal) && WritersEqual && Verifies.All(v => v.AsExpected);
}

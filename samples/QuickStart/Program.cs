using System;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using RoslynPgSync.Installation;
using RoslynPgSync.TestCluster;

// QuickStart: the seed article's scenario on a throwaway PostgreSQL cluster that this program
// starts and removes. Two databases owned by their own roles (the seed's `local` and `remote`),
// replication of local.loc_test to remote.rmt_test installed from the generated model, writes,
// a destination outage while the queue grows, recovery and replay, and a final comparison of
// both sides. Exits 0 only when both sides are equal. Ctrl+C stops it cleanly.
using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    Console.WriteLine("Stopping ...");
    cancellation.Cancel();
};

try
{
    return await QuickStart.Scenario.RunAsync(cancellation.Token) ? 0 : 1;
}
catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
{
    Console.WriteLine("Stopped by Ctrl+C; the throwaway cluster has been removed.");
    return 130;
}
catch (Exception ex) when (ex is PostgresClusterException or NpgsqlException or PgSyncInstallException or InvalidOperationException)
{
    Console.Error.WriteLine("QuickStart failed: " + ex.Message);
    return 1;
}
